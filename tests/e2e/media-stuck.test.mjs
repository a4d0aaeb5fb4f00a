// Issue 11 item 1: never a silent black tile. When media cannot flow the call page says
// "Connecting…", and after 10 s a plain-language notice of what to check with a "Try
// again" button — on the rooms page, in German, and for a patient in the consultation flow.
//
// How media is made impossible without sending anything off this machine: the server
// announces only 127.0.0.1 (--media-ip), and a stock Chromium pairs no loopback candidate
// (no --allow-loopback-in-peer-connection), so ICE never gets a pair to check — exactly
// what a person saw before the server announced its interface addresses. --no-ice-tcp
// because that holds for UDP only: Chromium does connect a TCP candidate on 127.0.0.1
// (its active TCP socket is not bound to an interface address), so with ICE-TCP media
// would flow over loopback (tests/e2e/ice-tcp-call.test.mjs covers ICE-TCP).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { clickJoin, closePages, joinCall } from '../support/call-page.mjs';
import { createAppointment, createPractitioner, joinAndWait, openInvitation, passDeviceCheck, signIn, waitForState } from '../support/clinic.mjs';
import { createRoom, createToken, startServer, waitFor } from '../support/server.mjs';

const NOTICE_EN = /Audio and video are not getting through\. Check that you are connected to the internet\./;

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ args: ['--media-ip', '127.0.0.1', '--no-ice-tcp'] });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

function diagnostics(t) {
  t.diagnostic(`server log:\n${server.logs()}`);
  for (const page of pages) {
    t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
  }
}

/** Waits for the notice; returns ms from `since` until it was visible. */
async function noticeAfter(page, since, { text = NOTICE_EN, button = 'Try again' } = {}) {
  const notice = page.getByRole('alert').filter({ hasText: text });
  await notice.waitFor({ timeout: 25_000 });
  const elapsed = Date.now() - since;
  await notice.getByRole('button', { name: button }).waitFor({ timeout: 1_000 });
  return elapsed;
}

test('no media: "Connecting…", then after 10 s what to check and "Try again", which sets the call up again', { timeout: 120_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCall(browser, server, roomId, { identity: 'alice', name: 'Alice', role: 'host' });
    const joinedAt = Date.now();
    pages.push(alice);
    await alice.getByRole('status').filter({ hasText: 'Connecting…' }).waitFor({ timeout: 5_000 });
    const bob = await joinCall(browser, server, roomId, { identity: 'bob', name: 'Bob' });
    pages.push(bob);

    // Alice sees Bob's tile, and it says it is connecting instead of staying black.
    const bobTile = alice.getByRole('figure', { name: 'Video of Bob' });
    await bobTile.getByText('Connecting…').waitFor({ timeout: 15_000 });

    const elapsed = await noticeAfter(alice, joinedAt);
    assert.ok(elapsed >= 9_000, `the notice came after ${elapsed} ms, before the 10 s allowed for connecting`);
    assert.notEqual(await alice.evaluate(() => window.__medrtc.publisher?.connectionState ?? 'none'), 'connected');
    await noticeAfter(bob, joinedAt);

    // "Try again": the notice goes, the call is set up on a fresh connection, and — media
    // still being impossible — the notice comes back after another 10 s.
    const firstPublisher = await alice.evaluateHandle(() => window.__medrtc.publisher);
    await alice.getByRole('button', { name: 'Try again' }).click();
    const retriedAt = Date.now();
    await alice.getByRole('alert').filter({ hasText: NOTICE_EN }).waitFor({ state: 'hidden', timeout: 5_000 });
    await waitFor(() => alice.evaluate((old) => window.__medrtc.state === 'in_call' && window.__medrtc.publisher !== null
      && window.__medrtc.publisher !== old, firstPublisher), { timeoutMs: 15_000, what: 'a new publisher connection after Try again' });
    await alice.getByRole('status').filter({ hasText: 'Connecting…' }).waitFor({ timeout: 5_000 });
    const again = await noticeAfter(alice, retriedAt);
    assert.ok(again >= 9_000, `the notice came back after ${again} ms`);
  } catch (err) {
    diagnostics(t);
    throw err;
  }
});

test('the notice in German', { timeout: 60_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'doris', name: 'Doris' });
    const page = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
    page.displayName = 'Doris';
    pages.push(page);
    await page.addInitScript(() => localStorage.setItem('medrtc.lang', 'de'));
    await page.goto(server.baseUrl + joinUrl);
    await page.getByRole('button', { name: 'Beitreten' }).click();
    await page.getByRole('status').filter({ hasText: 'Verbindung wird aufgebaut' }).waitFor({ timeout: 15_000 });
    await noticeAfter(page, Date.now(), { text: /Ton und Bild kommen nicht durch/, button: 'Erneut versuchen' });
  } catch (err) {
    diagnostics(t);
    throw err;
  }
});

test('a patient admitted from the waiting room gets the same notice', { timeout: 180_000 }, async (t) => {
  try {
    // A GDPR practice: its 1:1 runs through the SFU, whose media this server cannot carry.
    // A KBV practice's 1:1 goes browser to browser (K7), where that block does not apply.
    const doc = await createPractitioner(server, { policy: 'gdpr' });
    const dashboard = await signIn(browser, server, doc);
    pages.push(dashboard);
    const appointment = await createAppointment(dashboard, { title: 'Blocked network' });
    const patient = await openInvitation(browser, appointment.link, 'Paula Patient');
    pages.push(patient);
    await passDeviceCheck(patient);
    await joinAndWait(patient);

    await dashboard.locator(`li[data-appointment-id="${appointment.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
    await dashboard.waitForURL(/\/consult\//);
    await clickJoin(dashboard);
    await dashboard.getByRole('region', { name: 'Waiting room' }).getByRole('button', { name: 'Admit Paula Patient' }).click({ timeout: 20_000 });
    await waitForState(patient, 'in_call');
    const admittedAt = Date.now();
    await patient.getByRole('status').filter({ hasText: 'Connecting…' }).waitFor({ timeout: 5_000 });
    const elapsed = await noticeAfter(patient, admittedAt);
    assert.ok(elapsed >= 8_000, `the patient's notice came after ${elapsed} ms`);
    await noticeAfter(dashboard, admittedAt);
  } catch (err) {
    diagnostics(t);
    throw err;
  }
});
