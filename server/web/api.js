// SPDX-License-Identifier: AGPL-3.0-or-later
// tandem web page: the device API over fetch(), with the token from sessionStorage (never in a URL).

const TOKEN_KEY = 'tandem.token';

export function getToken() {
	return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
	if (token)
		sessionStorage.setItem(TOKEN_KEY, token);
	else
		sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: status, code, field (or null) and message. */
export class ApiError extends Error {
	constructor(status, code, field, message) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = field;
	}
}

/** Headers with the device token; extra ones added. */
export function authHeaders(extra = {}) {
	return { Authorization: `Bearer ${getToken()}`, ...extra };
}

/**
 * One request; body is JSON unless it is a Blob (sent with its own type). Answers the parsed JSON, or throws
 * ApiError with the server's error object (or a made-up one when the answer is not JSON).
 */
export async function api(method, path, body) {
	const opts = { method, headers: authHeaders(), cache: 'no-store' };

	if (body instanceof Blob) {
		opts.headers['Content-Type'] = body.type;
		opts.body = body;
	} else if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	const resp = await fetch(path, opts);
	let data = null;
	try {
		data = await resp.json();
	} catch {
		data = null;
	}
	if (!resp.ok) {
		const e = data && data.error ? data.error : {};
		throw new ApiError(resp.status, e.code || 'http_' + resp.status, e.field || null,
				   e.message || resp.statusText || 'request failed');
	}
	return data;
}

/** An image or file of the API (a profile photo, /v1/media/{id}) as a blob: URL; revoke it when done. */
export async function blobUrl(path) {
	const resp = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
	if (!resp.ok)
		throw new ApiError(resp.status, 'http_' + resp.status, null, `cannot fetch ${path}`);
	return URL.createObjectURL(await resp.blob());
}

/** An E.164 number in a path segment. */
export function e164Path(tdn) {
	return encodeURIComponent(tdn);
}
