// SPDX-License-Identifier: AGPL-3.0-or-later
// tandem web page: the subscriber's device, profile, audiences, blocks and live calls, on the device API.

import { api, ApiError, blobUrl, e164Path, getToken, setToken } from './api.js';
import { EventStream } from './events.js';

const STANDARD = ['name', 'email', 'birthday', 'address', 'social'];
const LABELS = { name: 'Name', email: 'E-mail', birthday: 'Birthday', address: 'Address', social: 'Social' };
const $ = (id) => document.getElementById(id);

let profile = new Map();	// name -> {value, version}
let stream = null;
let session = null;		// the current call: {id, call, role, peer}
const blobs = new Set();	// blob: URLs to revoke on logout

function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (k === 'text')
			e.textContent = v;
		else
			e.setAttribute(k, v);
	}
	for (const c of children)
		e.append(c);
	return e;
}

function say(text) {
	$('status').textContent = text;
}

function errText(e) {
	return e instanceof ApiError ? `${e.message} (${e.code})` : String(e.message || e);
}

function list(text) {
	return text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s);
}

function keepBlob(url) {
	blobs.add(url);
	return url;
}

// --- connect -------------------------------------------------------------------------------------------

async function connect() {
	let me;
	try {
		me = await api('GET', '/v1/me');
	} catch (e) {
		say(`Cannot connect: ${errText(e)}`);
		if (e instanceof ApiError && e.status === 401)
			setToken(null);
		return;
	}
	$('login-form').hidden = true;
	$('logout').hidden = false;
	$('app').hidden = false;
	$('me-number').textContent = me.subscriber.tdn;
	const d = me.device;
	$('me-device').textContent = `${d.label || 'device ' + d.id} (${d.kind}, id ${d.id})`;
	say(`Connected as ${me.subscriber.tdn}.`);
	await Promise.all([loadProfile(), loadGroups(), loadBlocks()]);
	stream = new EventStream(onEvent, (t) => { $('stream-state').textContent = t; });
	stream.start();
}

function logout() {
	if (stream)
		stream.stop();
	stream = null;
	setToken(null);
	for (const u of blobs)
		URL.revokeObjectURL(u);
	blobs.clear();
	sessionStorage.removeItem('tandem.cards');
	location.reload();
}

// --- profile -------------------------------------------------------------------------------------------

function fieldError(name, text) {
	const out = $(`f-${name}-error`) || $(`free-${name}-error`);
	if (out)
		out.textContent = text;
}

function freeFieldRow(name, value) {
	const id = `free-${name}`;
	const input = el('input', { id, 'data-field': name });
	input.value = value;
	const del = el('button', { type: 'button', text: 'Delete', 'aria-label': `Delete field ${name}` });
	del.addEventListener('click', async () => {
		try {
			await api('DELETE', `/v1/me/profile/${encodeURIComponent(name)}`);
			await loadProfile();
		} catch (e) {
			fieldError(name, errText(e));
		}
	});
	return el('div', { class: 'field' }, el('label', { for: id, text: name }), input, del,
		  el('span', { class: 'error', id: `${id}-error`, role: 'alert' }));
}

async function loadProfile() {
	const data = await api('GET', '/v1/me/profile');
	profile = new Map();
	for (const f of data.fields)
		profile.set(f.name, f);
	for (const n of STANDARD)
		$(`f-${n}`).value = profile.has(n) ? profile.get(n).value : '';
	const free = $('free-fields');
	free.replaceChildren();
	for (const f of data.fields) {
		if (!STANDARD.includes(f.name) && f.name !== 'photo')
			free.append(freeFieldRow(f.name, f.value));
	}
	await showPhoto();
}

async function saveProfile(ev) {
	ev.preventDefault();
	let failed = 0, saved = 0;
	$('profile-saved').textContent = '';
	for (const input of $('profile-form').querySelectorAll('[data-field]')) {
		const name = input.dataset.field;
		const old = profile.has(name) ? profile.get(name).value : '';
		fieldError(name, '');
		if (input.value === old)
			continue;
		try {
			if (input.value === '')
				await api('DELETE', `/v1/me/profile/${encodeURIComponent(name)}`);
			else
				profile.set(name, await api('PUT', `/v1/me/profile/${encodeURIComponent(name)}`,
							    { value: input.value }));
			saved++;
		} catch (e) {
			fieldError(name, errText(e));
			failed++;
		}
	}
	$('profile-saved').textContent = failed ? `${failed} field(s) not saved.` : `Saved ${saved} field(s).`;
	if (!failed)
		await loadProfile();
}

async function addFreeField(ev) {
	ev.preventDefault();
	$('free-error').textContent = '';
	const name = $('free-name').value.trim();
	try {
		await api('PUT', `/v1/me/profile/${encodeURIComponent(name)}`, { value: $('free-value').value });
		$('free-name').value = '';
		$('free-value').value = '';
		await loadProfile();
	} catch (e) {
		$('free-error').textContent = errText(e);
	}
}

async function showPhoto() {
	const img = $('photo');
	if (!profile.has('photo')) {
		img.hidden = true;
		return;
	}
	try {
		img.src = keepBlob(await blobUrl('/v1/me/profile/photo'));
		img.hidden = false;
	} catch (e) {
		$('photo-error').textContent = errText(e);
	}
}

async function uploadPhoto(ev) {
	ev.preventDefault();
	$('photo-error').textContent = '';
	const file = $('photo-file').files[0];
	if (!file)
		return;
	const type = file.type === 'image/jpeg' || file.type === 'image/png' ? file.type
		: /\.jpe?g$/i.test(file.name) ? 'image/jpeg' : 'image/png';
	try {
		await api('PUT', '/v1/me/profile/photo', new Blob([file], { type }));
		await loadProfile();
	} catch (e) {
		$('photo-error').textContent = errText(e);
	}
}

// --- audiences -----------------------------------------------------------------------------------------

function groupItem(g) {
	const id = `group-${g.id}`;
	const name = el('input', { id: `${id}-name`, maxlength: '100' });
	name.value = g.name;
	const members = el('textarea', { id: `${id}-members`, rows: '2' });
	members.value = g.members.join('\n');
	const fields = el('input', { id: `${id}-fields` });
	fields.value = g.fields.join(', ');
	const err = el('span', { class: 'error', id: `${id}-error`, role: 'alert' });
	const save = el('button', { type: 'submit', text: 'Save group' });
	const del = el('button', { type: 'button', text: 'Delete group', 'aria-label': `Delete group ${g.name}` });
	const form = el('form', { 'aria-label': `Group ${g.name}` },
			el('label', { for: name.id, text: 'Group name' }), name,
			el('label', { for: members.id, text: 'Members' }), members,
			el('label', { for: fields.id, text: 'Fields they see' }), fields, save, del, err);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.textContent = '';
		try {
			await api('PATCH', `/v1/me/groups/${g.id}`,
				  { name: name.value, members: list(members.value), fields: list(fields.value) });
			await loadGroups();
		} catch (e) {
			err.textContent = errText(e);
		}
	});
	del.addEventListener('click', async () => {
		try {
			await api('DELETE', `/v1/me/groups/${g.id}`);
			await loadGroups();
		} catch (e) {
			err.textContent = errText(e);
		}
	});
	return el('li', {}, form);
}

async function loadGroups() {
	const data = await api('GET', '/v1/me/groups');
	$('groups').replaceChildren(...data.groups.map(groupItem));
	$('default-fields').value = data.default_fields.join(', ');
}

async function createGroup(ev) {
	ev.preventDefault();
	$('group-error').textContent = '';
	try {
		await api('POST', '/v1/me/groups', { name: $('group-name').value,
			members: list($('group-members').value), fields: list($('group-fields').value) });
		for (const i of ['group-name', 'group-members', 'group-fields'])
			$(i).value = '';
		await loadGroups();
	} catch (e) {
		$('group-error').textContent = errText(e);
	}
}

async function saveDefault(ev) {
	ev.preventDefault();
	$('default-error').textContent = '';
	try {
		await api('PUT', '/v1/me/default-audience', { fields: list($('default-fields').value) });
		await loadGroups();
	} catch (e) {
		$('default-error').textContent = errText(e);
	}
}

// --- blocks --------------------------------------------------------------------------------------------

async function loadBlocks() {
	const data = await api('GET', '/v1/me/blocks');
	$('blocks').replaceChildren(...data.items.map((b) => {
		const un = el('button', { type: 'button', text: 'Unblock', 'aria-label': `Unblock ${b.tdn}` });
		un.addEventListener('click', async () => {
			try {
				await api('DELETE', `/v1/me/blocks/${e164Path(b.tdn)}`);
				await loadBlocks();
			} catch (e) {
				$('block-error').textContent = errText(e);
			}
		});
		return el('li', {}, el('span', { class: 'tdn', text: b.tdn }), ' ', un);
	}));
}

async function addBlock(ev) {
	ev.preventDefault();
	$('block-error').textContent = '';
	try {
		await api('PUT', `/v1/me/blocks/${e164Path($('block-number').value.trim())}`);
		$('block-number').value = '';
		await loadBlocks();
	} catch (e) {
		$('block-error').textContent = errText(e);
	}
}

// --- live events ---------------------------------------------------------------------------------------

function partyText(p) {
	if (!p)
		return 'unknown';
	return p.withheld && !p.tdn ? 'withheld number' : p.tdn;
}

function logEvent(text) {
	const li = el('li', { text: `${new Date().toTimeString().slice(0, 8)} ${text}` });
	$('events').prepend(li);
	while ($('events').children.length > 100)
		$('events').lastChild.remove();
}

function cardStore() {
	try {
		return JSON.parse(sessionStorage.getItem('tandem.cards') || '{}');
	} catch {
		return {};
	}
}

async function showCard(d) {
	const key = d.subject.tdn || 'withheld';
	const store = cardStore();
	const held = store[key] || {};
	for (const [name, f] of Object.entries(d.fields || {}))
		held[name] = f;
	store[key] = held;
	sessionStorage.setItem('tandem.cards', JSON.stringify(store));
	const visible = new Set([...Object.keys(d.fields || {}), ...(d.unchanged || [])]);
	const dl = $('card-fields');
	dl.replaceChildren(el('dt', { text: 'Number' }), el('dd', { text: partyText(d.subject) }));
	for (const name of [...visible].sort()) {
		const f = held[name];
		if (!f || name === 'photo')
			continue;
		dl.append(el('dt', { text: LABELS[name] || name }), el('dd', { 'data-field': name, text: f.value }));
	}
	const img = $('card-photo');
	img.hidden = true;
	if (visible.has('photo') && held.photo && held.photo.url) {
		try {
			img.src = keepBlob(await blobUrl(held.photo.url));
			img.alt = `Photo of ${partyText(d.subject)}`;
			img.hidden = false;
		} catch (e) {
			logEvent(`card photo: ${errText(e)}`);
		}
	}
	$('card').hidden = false;
}

function setCall(text, showForm) {
	$('call-state').textContent = text;
	$('msg-form').hidden = !showForm;
}

function onEvent(type, d) {
	switch (type) {
	case 'call.incoming':
	case 'call.outgoing': {
		const peer = type === 'call.incoming' ? d.caller : d.callee;
		session = { id: d.session, call: d.call, role: d.role, peer };
		$('card').hidden = true;
		setCall(type === 'call.incoming' ? `Incoming call from ${partyText(peer)}`
			: `Outgoing call to ${partyText(peer)}`, true);
		logEvent(`${type} ${partyText(peer)} (session ${d.session})`);
		break;
	}
	case 'session.established':
		logEvent(`session ${d.session} established (${d.state})`);
		break;
	case 'card':
		logEvent(`card of ${partyText(d.subject)}: new ${Object.keys(d.fields || {}).sort().join(' ') || 'none'}` +
			 `, unchanged ${(d.unchanged || []).slice().sort().join(' ') || 'none'}`);
		if (session && session.id === d.session)
			showCard(d);
		break;
	case 'call.answered':
		logEvent(`call answered (session ${d.session})`);
		if (session && session.id === d.session)
			setCall(`In call with ${partyText(session.peer)}`, true);
		break;
	case 'call.ended':
		logEvent(`call ended: ${d.reason || ''} (session ${d.session})`);
		if (session && session.id === d.session)
			setCall(`Call with ${partyText(session.peer)} ended`, true);
		break;
	case 'session.closed':
		logEvent(`session ${d.session} closed (${d.reason})`);
		if (session && session.id === d.session) {
			session = null;
			setCall('No call.', false);
			$('card').hidden = true;
		}
		break;
	case 'message': {
		const what = d.kind === 'text' ? d.text : d.kind === 'url' ? d.url
			: d.kind === 'location' ? `location ${d.location.lat}, ${d.location.lon}`
			: d.kind === 'file' ? `file ${d.file.name} (${d.file.size} bytes)` : d.kind;
		logEvent(`message from ${partyText(d.from)}: ${what}`);
		break;
	}
	case 'notice':
		logEvent(`notice: ${d.text}`);
		break;
	case 'resync':
		logEvent(`resync (${d.reason})`);
		loadProfile().catch(() => {});
		break;
	default:
		logEvent(type);
	}
}

async function sendMessage(ev) {
	ev.preventDefault();
	$('msg-error').textContent = '';
	if (!session)
		return;
	try {
		const r = await api('POST', `/v1/sessions/${session.id}/messages`, { text: $('msg-text').value });
		logEvent(`message sent to ${r.delivered_to} device(s): ${$('msg-text').value}`);
		$('msg-text').value = '';
	} catch (e) {
		$('msg-error').textContent = errText(e);
	}
}

// --- start ---------------------------------------------------------------------------------------------

$('login-form').addEventListener('submit', (ev) => {
	ev.preventDefault();
	setToken($('token').value.trim());
	$('token').value = '';
	connect();
});
$('logout').addEventListener('click', logout);
$('profile-form').addEventListener('submit', saveProfile);
$('free-form').addEventListener('submit', addFreeField);
$('photo-form').addEventListener('submit', uploadPhoto);
$('group-form').addEventListener('submit', createGroup);
$('default-form').addEventListener('submit', saveDefault);
$('block-form').addEventListener('submit', addBlock);
$('msg-form').addEventListener('submit', sendMessage);
if (getToken())
	connect();
