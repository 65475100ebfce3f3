// SPDX-License-Identifier: AGPL-3.0-or-later
// The web page's text/event-stream parser (server/web/events.js) on its own, in Node.js: events split across
// reads at every byte, CRLF and CR line ends, multi-line data, comments, id-only blocks, retry, a field
// without a colon, an unterminated last event. Prints each event; tests/web.sh compares the output.

const { SseParser } = await import(`${process.env.abs_top_srcdir}/server/web/events.js`);

const stream = 'retry: 2500\nid: 41\n\n: heartbeat\n\nid: 42\nevent: notice\ndata: {"text": "a"}\n\n' +
	'id: 43\r\nevent: message\r\ndata: line one\r\ndata: line two\r\n\r\n' +
	'event: card\rdata:no space\r\r' +
	'data\nid: 44\n\n' +
	'id: 45\nretry: x\nevent: notice\ndata: {"text": "tail"}\n';

function run(chunks) {
	const out = [];
	const p = new SseParser((ev) => out.push(`id=${ev.id} event=${ev.event} data=${JSON.stringify(ev.data)}`));
	for (const c of chunks)
		p.feed(c);
	out.push(`last id ${p.lastId}, retry ${p.retry}`);
	return out;
}

const whole = run([stream]);
for (const l of whole)
	console.log(l);
// the same events whatever the reads look like: one byte at a time, and in pieces of 7
const bytes = run([...stream]);
const sevens = run(stream.match(/[\s\S]{1,7}/g));
console.log(`one byte per read: ${JSON.stringify(bytes) === JSON.stringify(whole) ? 'same' : 'DIFFERENT'}`);
console.log(`7 bytes per read: ${JSON.stringify(sevens) === JSON.stringify(whole) ? 'same' : 'DIFFERENT'}`);
