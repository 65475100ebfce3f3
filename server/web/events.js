// SPDX-License-Identifier: AGPL-3.0-or-later
// tandem web page: GET /v1/events read with fetch() and a stream reader (EventSource cannot send the
// Authorization header), resumed with Last-Event-ID after a drop.

import { authHeaders } from './api.js';

/**
 * Parse text/event-stream: feed() takes decoded text, calls onEvent({id, event, data}) for each complete
 * event (comments and the id-only blocks update lastId without an event).
 */
export class SseParser {
	constructor(onEvent) {
		this.onEvent = onEvent;
		this.buf = '';
		this.reset();
		this.lastId = null;
		this.retry = 2000;
	}

	reset() {
		this.event = '';
		this.data = [];
		this.id = null;
	}

	feed(text) {
		this.buf += text;
		let nl;
		while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
			// a CR at the end may be the first half of a CRLF split across two reads
			if (nl === this.buf.length - 1 && this.buf[nl] === '\r')
				break;
			const line = this.buf.slice(0, nl);
			const skip = this.buf.startsWith('\r\n', nl) ? 2 : 1;
			this.buf = this.buf.slice(nl + skip);
			this.line(line);
		}
	}

	line(line) {
		if (line === '') {
			if (this.id !== null)
				this.lastId = this.id;
			if (this.data.length)
				this.onEvent({ id: this.id ?? this.lastId, event: this.event || 'message',
					       data: this.data.join('\n') });
			this.reset();
			return;
		}
		if (line.startsWith(':'))
			return;
		const colon = line.indexOf(':');
		const name = colon < 0 ? line : line.slice(0, colon);
		let value = colon < 0 ? '' : line.slice(colon + 1);
		if (value.startsWith(' '))
			value = value.slice(1);
		if (name === 'event')
			this.event = value;
		else if (name === 'data')
			this.data.push(value);
		else if (name === 'id' && !value.includes('\0'))
			this.id = value;
		else if (name === 'retry' && /^[0-9]+$/.test(value))
			this.retry = Number(value);
	}
}

/**
 * The device's event stream, reconnecting after a drop with the last id seen. onEvent(type, data, id) gets
 * each event with data parsed as JSON; onState(text) tells what the stream is doing.
 */
export class EventStream {
	constructor(onEvent, onState) {
		this.onEvent = onEvent;
		this.onState = onState;
		this.lastId = null;
		this.abort = null;
		this.stopped = true;
	}

	start() {
		this.stopped = false;
		this.run();
	}

	stop() {
		this.stopped = true;
		if (this.abort)
			this.abort.abort();
		this.onState('Stream closed.');
	}

	async run() {
		let delay = 2000;

		while (!this.stopped) {
			const parser = new SseParser((ev) => this.deliver(ev));
			parser.lastId = this.lastId;
			this.abort = new AbortController();
			try {
				const headers = authHeaders({ Accept: 'text/event-stream' });
				if (this.lastId !== null)
					headers['Last-Event-ID'] = this.lastId;
				const resp = await fetch('/v1/events', { headers, cache: 'no-store',
									signal: this.abort.signal });
				if (resp.status === 401 || resp.status === 403) {
					this.onState(`Stream refused (${resp.status}).`);
					this.stopped = true;
					return;
				}
				if (!resp.ok || !resp.body)
					throw new Error(`status ${resp.status}`);
				this.onState('Stream open.');
				const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
				for (;;) {
					const { value, done } = await reader.read();
					if (done)
						break;
					parser.feed(value);
					if (parser.lastId !== null)
						this.lastId = parser.lastId;
				}
				delay = parser.retry;
				if (!this.stopped)
					this.onState('Stream ended, reconnecting.');
			} catch (e) {
				if (this.stopped)
					return;
				this.onState(`Stream dropped (${e.message}), reconnecting.`);
			}
			if (this.stopped)
				return;
			await new Promise((r) => setTimeout(r, delay));
		}
	}

	deliver(ev) {
		let data;
		try {
			data = JSON.parse(ev.data);
		} catch {
			data = ev.data;
		}
		if (ev.id !== null)
			this.lastId = ev.id;
		this.onEvent(ev.event, data, ev.id);
	}
}
