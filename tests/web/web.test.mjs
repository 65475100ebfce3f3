// SPDX-License-Identifier: AGPL-3.0-or-later
// Browser test of the subscriber web page: Debian's chromium (headless) driven by playwright-core against a
// running tandem-server (tests/web.sh sets it up). Prints one line per step, compared with tests/web/web.ok;
// any step that does not happen in time, a script error on the page or a blocked resource fails the test.

import { createRequire } from 'node:module';
import { writeFileSync, existsSync } from 'node:fs';
import assert from 'node:assert/strict';

const require = createRequire(process.env.NODE_DIR + '/');
const { chromium } = require('playwright-core');

const URL = process.env.URL;
const TOKEN_B = process.env.TOKEN_B;
const TOKEN_A = process.env.TOKEN_A;
const SCP_KEY = process.env.SCP_KEY;
const WORK = process.env.WORK;
const SRCDIR = process.env.abs_top_srcdir;
const T = 10000;

function log(s) {
	process.stdout.write(s + '\n');
}

// The device API from outside the page, with a token of its own.
async function call(method, path, token, body) {
	const opts = { method, headers: { Authorization: `Bearer ${token}` } };
	if (body !== undefined) {
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify(body);
	}
	const r = await fetch(URL + path, opts);
	const text = await r.text();
	return { status: r.status, data: text ? JSON.parse(text) : null };
}

let seq = 0;
async function callEvent(type, callId, calling, called, withheld = false) {
	seq++;
	const ev = { instance: 'scp-web', seq, type, call: callId, time: `2026-01-02T03:04:${String(seq).padStart(2, '0')}Z`,
		     direction: 'orig', protocol: 'cap2', calling: { e164: calling, withheld }, called: { e164: called } };
	if (type === 'end')
		ev.end_reason = 'disconnect';
	const r = await call('POST', '/v1/call-events', SCP_KEY, { events: [ev] });
	assert.equal(r.status, 200, JSON.stringify(r.data));
}

async function text(page, sel) {
	return (await page.locator(sel).textContent()).trim();
}

async function waitText(page, sel, want) {
	await page.locator(sel).filter({ hasText: want }).first().waitFor({ timeout: T });
}

async function imageSize(page, sel) {
	await page.waitForFunction((s) => {
		const i = document.querySelector(s);
		return i && !i.hidden && i.complete && i.naturalWidth > 0;
	}, sel, { timeout: T });
	return page.$eval(sel, (i) => `${i.naturalWidth}x${i.naturalHeight} from ${i.src.split(':')[0]}:`);
}

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
	       '--disable-component-update', '--disable-sync'],
});
const problems = [];
let failed = false;
try {
	const page = await browser.newPage();
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		// an error answer of the API shows as a failed load: the steps check what the page made of it
		if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
			problems.push(`console: ${m.text()}`);
	});
	// the event stream is cut by the daemon's restart and by "Forget token"; nothing else may fail
	page.on('requestfailed', (r) => {
		if (r.url() !== `${URL}/v1/events`)
			problems.push(`request failed: ${r.url()} ${r.failure().errorText}`);
	});
	page.on('request', (r) => {
		if (!r.url().startsWith(URL) && !r.url().startsWith('blob:'))
			problems.push(`request to another origin: ${r.url()}`);
	});

	await page.goto(URL + '/');
	log(`title: ${await page.title()}; status: ${await text(page, '#status')}`);
	const unlabelled = await page.$$eval('input, textarea, select', (els) =>
		els.filter((e) => !e.labels || !e.labels.length).map((e) => e.id));
	log(`form controls without a label: ${unlabelled.length ? unlabelled.join(' ') : 'none'}`);

	// the token by keyboard only: focus moves to the field, typed, Enter submits
	await page.keyboard.press('Tab');
	log(`first Tab focuses: #${await page.evaluate(() => document.activeElement.id)}`);
	await page.keyboard.type(TOKEN_B);
	await page.keyboard.press('Enter');
	await waitText(page, '#me-number', '+');
	log(`number: ${await text(page, '#me-number')}; device: ${await text(page, '#me-device')}`);
	log(`status: ${await text(page, '#status')}`);
	assert.ok(!page.url().includes(TOKEN_B.slice(4, 20)), 'token in the URL');
	log(`token kept in sessionStorage: ${await page.evaluate((t) => sessionStorage.getItem('tandem.token') === t,
								   TOKEN_B)}; URL: ${page.url().replace(URL, '')}`);
	await waitText(page, '#stream-state', 'Stream open.');
	log(`events: ${await text(page, '#stream-state')}`);

	// profile fields, checked on the server
	await page.fill('#f-name', 'Bob B');
	await page.fill('#f-email', 'bob@example.org');
	await page.fill('#f-birthday', '1980-12-31');
	await page.click('#profile-form button[type=submit]');
	await waitText(page, '#profile-saved', 'Saved');
	log(`profile: ${await text(page, '#profile-saved')}`);
	let r = await call('GET', '/v1/me/profile', TOKEN_B);
	log(`server has: ${r.data.fields.map((f) => `${f.name}=${f.value}`).join(', ')}`);

	await page.fill('#f-email', 'bob at example');
	await page.click('#profile-form button[type=submit]');
	await waitText(page, '#f-email-error', 'e-mail');
	log(`bad e-mail: next to the field: "${await text(page, '#f-email-error')}"; ${await text(page, '#profile-saved')}`);
	r = await call('GET', '/v1/me/profile', TOKEN_B);
	log(`server still has email=${r.data.fields.find((f) => f.name === 'email').value}`);
	await page.fill('#f-email', 'bob@example.org');

	// a free field
	await page.fill('#free-name', 'motto');
	await page.fill('#free-value', 'carpe diem');
	await page.click('#free-form button[type=submit]');
	await page.locator('#free-motto').waitFor({ timeout: T });
	log(`free field on the page: motto=${await page.inputValue('#free-motto')}`);

	// the photo
	await page.setInputFiles('#photo-file', `${SRCDIR}/tests/web/blue.png`);
	await page.click('#photo-form button[type=submit]');
	log(`own photo shown: ${await imageSize(page, '#photo')}`);
	r = await call('GET', '/v1/me/profile', TOKEN_B);
	const photo = r.data.fields.find((f) => f.name === 'photo');
	log(`server has photo: ${photo.media.content_type}, ${photo.media.size} bytes`);

	// a group and the default audience
	await page.fill('#group-name', 'family');
	await page.fill('#group-members', '+4930100\n+4930111');
	await page.fill('#group-fields', 'name, photo, motto');
	await page.click('#group-form button[type=submit]');
	await page.locator('#groups li').first().waitFor({ timeout: T });
	await page.fill('#group-members', 'not-a-number');
	await page.fill('#group-name', 'bad');
	await page.click('#group-form button[type=submit]');
	await waitText(page, '#group-error', 'E.164');
	log(`bad member: "${await text(page, '#group-error')}"`);
	await page.fill('#default-fields', 'name');
	await page.click('#default-form button[type=submit]');
	await page.waitForFunction(() => document.getElementById('default-fields').value === 'name', null,
				   { timeout: T });
	r = await call('GET', '/v1/me/groups', TOKEN_B);
	log(`server has groups: ${r.data.groups.map((g) => `${g.name} members=${g.members} fields=${g.fields}`)}; ` +
	    `default: ${r.data.default_fields}`);

	// a block
	await page.fill('#block-number', '+4930999');
	await page.keyboard.press('Enter');
	await waitText(page, '#blocks li', '+4930999');
	await page.fill('#block-number', '4930999');
	await page.keyboard.press('Enter');
	await waitText(page, '#block-error', 'E.164');
	r = await call('GET', '/v1/me/blocks', TOKEN_B);
	log(`server has blocks: ${r.data.items.map((b) => b.tdn)}; bad number: "${await text(page, '#block-error')}"`);

	// a call from A: the page shows it, with A's card and photo
	log(`before the call: ${await text(page, '#call-state')} card shown: ${await page.isVisible('#card')}, ` +
	    `message form shown: ${await page.isVisible('#msg-form')}`);
	await callEvent('trigger', 'web-1', '+4930100', '+4930200');
	await waitText(page, '#call-state', 'Incoming call');
	log(`call: ${await text(page, '#call-state')}`);
	await page.locator('#card').waitFor({ state: 'visible', timeout: T });
	await waitText(page, '#card-fields dd[data-field=name]', 'Alice A');
	log(`card: ${(await page.$$eval('#card-fields dt, #card-fields dd', (e) => e.map((x) => x.textContent)))
		.join(' ')}`);
	log(`card photo: ${await imageSize(page, '#card-photo')} alt "${await page.getAttribute('#card-photo', 'alt')}"`);
	// for a look by a person: WEB_SCREENSHOT=file.png
	if (process.env.WEB_SCREENSHOT)
		await page.screenshot({ path: process.env.WEB_SCREENSHOT, fullPage: true });
	await callEvent('answer', 'web-1', '+4930100', '+4930200');
	await waitText(page, '#call-state', 'In call');
	log(`call: ${await text(page, '#call-state')}`);

	// a message from the page reaches A (the shell reads A's stream); one from A shows on the page
	await page.fill('#msg-text', 'hello from the web page');
	await page.keyboard.press('Enter');
	await waitText(page, '#events li', 'message sent to 1 device(s)');
	log('sent: message sent to 1 device(s)');

	// the daemon restarts under the page: the stream drops; A's message sent meanwhile still reaches the page,
	// which reconnects with the last id it saw as Last-Event-ID
	const streams = [];
	page.on('request', (q) => {
		if (q.url() === `${URL}/v1/events`)
			streams.push(q.headers()['last-event-id'] ?? null);
	});
	writeFileSync(`${WORK}/web.restart`, '');
	const t0 = Date.now();
	while (!existsSync(`${WORK}/web.restarted`) && Date.now() - t0 < 20000)
		await new Promise((res) => setTimeout(res, 100));
	assert.ok(existsSync(`${WORK}/web.restarted`), 'the daemon was not restarted');
	await waitText(page, '#stream-state', 'reconnecting');
	log(`after the restart the page shows it is reconnecting; event stream requests so far: ${streams.length}`);
	const session = await page.evaluate(() => document.getElementById('events').textContent.match(/session (\d+)/)[1]);
	r = await call('POST', `/v1/sessions/${session}/messages`, TOKEN_A, { text: 'hi back from A' });
	log(`A sends: ${r.status} delivered_to=${r.data.delivered_to}`);
	await waitText(page, '#events li', 'hi back from A');
	log(`page shows: ${(await text(page, '#events li:first-child')).replace(/^\S+ /, '')}`);
	const ids = streams.map((h) => h === null ? 'none' : /^[0-9]+$/.test(h) ? 'a number' : h);
	log(`the page reconnected ${streams.length} time(s), Last-Event-ID: ${ids}`);
	await waitText(page, '#stream-state', 'Stream open.');
	await callEvent('end', 'web-1', '+4930100', '+4930200');
	await waitText(page, '#call-state', 'ended');
	log(`call: ${await text(page, '#call-state')}`);
	// a call from a withheld number: shown without digits, and no card
	await callEvent('trigger', 'web-2', '+4930100', '+4930200', true);
	await waitText(page, '#call-state', 'withheld');
	log(`call: ${await text(page, '#call-state')}; card shown: ${await page.isVisible('#card')}`);
	await callEvent('end', 'web-2', '+4930100', '+4930200', true);
	await waitText(page, '#call-state', 'ended');
	log(`call: ${await text(page, '#call-state')}`);
	// B calls A: the card carries nothing new (the page holds A's fields at their versions) and is shown from
	// what the page kept
	await callEvent('trigger', 'web-3', '+4930200', '+4930100');
	await waitText(page, '#call-state', 'Outgoing call');
	await waitText(page, '#card-fields dd[data-field=name]', 'Alice A');
	log(`call: ${await text(page, '#call-state')}; card: ${(await page.$$eval('#card-fields dt, #card-fields dd',
		(e) => e.map((x) => x.textContent))).join(' ')}; photo ${await imageSize(page, '#card-photo')}`);
	await callEvent('end', 'web-3', '+4930200', '+4930100');
	await waitText(page, '#call-state', 'ended');
	const seen = await page.$$eval('#events li', (l) => l.map((x) => x.textContent.replace(/^\S+ /, '')).reverse());
	log(`events on the page (oldest first):\n  ${seen.join('\n  ')}`);

	// forgetting the token
	await page.click('#logout');
	await page.locator('#login-form').waitFor({ state: 'visible', timeout: T });
	log(`after "Forget token": token kept: ${await page.evaluate(() => sessionStorage.getItem('tandem.token'))}`);
} catch (e) {
	failed = true;
	log(`FAILED: ${e.message}`);
} finally {
	await browser.close();
}
for (const p of problems)
	log(p);
process.exit(failed || problems.length ? 1 : 0);
