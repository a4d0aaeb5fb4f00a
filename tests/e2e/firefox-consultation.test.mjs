// Issue 11 item 4: the patient side of the consultation flow (issue 4) in Firefox. The
// practitioner signs in with TOTP in Chromium and creates an appointment; the patient
// opens the link in Firefox, types a name, passes the device check (camera, microphone,
// connection) and waits — no peer connection, nothing about anyone else in the page or in
// its WebSocket messages — until admitted; then both see and hear each other, chat both
// ways, and the patient sees the end when the host ends the consultation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { launchFirefox, openInvitationFirefox, wsFrames } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, closePages, inboundStats, participantId, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, passDeviceCheck, signIn, state, waitForState,
} from '../support/clinic.mjs';
import { startServer } from '../support/server.mjs';

let server;
let browser;
let firefox;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1 });
  browser = await launchChromium();
  firefox = await launchFirefox();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await firefox?.close();
  await server?.stop();
});

/** What a waiting guest may receive: its own position, keep-alive answers. */
const WAITING_TYPES = new Set(['waiting', 'pong']);

/** The Firefox page waits with no media and learned nothing about anyone (text and messages). */
async function assertWaitingIsBlind(page, secrets) {
  const media = await page.evaluate(() => ({ publisher: window.__medrtc.publisher, subscriber: window.__medrtc.subscriber }));
  assert.deepEqual(media, { publisher: null, subscriber: null }, 'the waiting patient has a peer connection');
  const stats = await inboundStats(page);
  assert.equal(stats.video.streams + stats.audio.streams, 0, 'inbound-rtp while waiting');
  const text = await page.locator('body').innerText();
  const frames = await wsFrames(page);
  assert.ok(frames.length > 0, 'the recorder saw the waiting messages');
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `waiting page shows "${secret}"`);
    for (const frame of frames) {
      assert.ok(!frame.includes(secret), `waiting page received a message containing "${secret}": ${frame}`);
    }
  }
  for (const frame of frames) {
    assert.ok(WAITING_TYPES.has(JSON.parse(frame).type), `waiting page received ${frame}`);
  }
  assert.equal(await page.locator('figure.tile').count(), 0, 'tiles on the waiting page');
}

async function sendChat(page, text) {
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByLabel('Message').fill(text);
  await chat.getByRole('button', { name: 'Send' }).click();
}

test('a patient in Firefox: device check, waiting room, admitted, call and chat with a practitioner in Chromium, end', { timeout: 180_000 }, async (t) => {
  try {
    const doc = await createPractitioner(server);
    const host = await signIn(browser, server, doc);
    pages.push(host);
    host.displayName = 'host';
    const appt = await createAppointment(host, { title: 'Follow-up Anna' });

    const patient = await openInvitationFirefox(firefox, appt.link, 'Anna Schmidt');
    pages.push(patient);
    assert.ok(!patient.url().includes('#i='), `token still in the address bar: ${patient.url()}`);
    await passDeviceCheck(patient);
    await joinAndWait(patient);
    await patient.getByText('You are number 1 in line').waitFor();

    await host.locator(`li[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
    await host.waitForURL(/\/consult\//);
    await host.getByRole('button', { name: 'Join', exact: true }).click();
    await waitForState(host, 'in_call');
    const queue = host.getByRole('region', { name: 'Waiting room' });
    await queue.getByRole('button', { name: 'Admit Anna Schmidt' }).waitFor({ timeout: 30_000 });
    await assertWaitingIsBlind(patient, [doc.email, await participantId(host)]);

    await queue.getByRole('button', { name: 'Admit Anna Schmidt' }).click();
    await waitForState(patient, 'in_call');
    await Promise.all([waitForRemoteMedia(host), waitForRemoteMedia(patient)]);
    await waitForTileFrames(host, await participantId(patient));
    await waitForTileFrames(patient, await participantId(host));
    await host.getByRole('figure', { name: 'Video of Anna Schmidt' }).waitFor();

    await sendChat(patient, 'Good morning, my knee is better.');
    await host.getByRole('region', { name: 'Chat' }).getByText('Good morning, my knee is better.').waitFor();
    await sendChat(host, 'Glad to hear it, Anna.');
    await patient.getByRole('region', { name: 'Chat' }).getByText('Glad to hear it, Anna.').waitFor();

    await host.getByRole('button', { name: 'End consultation' }).click();
    await host.getByRole('dialog', { name: 'End the consultation for everyone?' }).getByRole('button', { name: 'End for everyone' }).click();
    await patient.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 15_000 });
    assert.equal(await state(patient), 'ended');

    for (const page of pages) {
      assertNoForeignRequests(page, server.baseUrl);
    }
    assertNoClientErrors(patient);
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});
