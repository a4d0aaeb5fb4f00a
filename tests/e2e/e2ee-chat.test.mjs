// Issue 13 item 4: chat in an end-to-end encrypted consultation. A KBV practice (its
// tenant profile requires E2EE), the patient admitted from the waiting room: both show
// the same security code, chat goes both ways and reads as text, and every chat message
// the patient's page received over the WebSocket carries only `ciphertext` — the text
// never crossed the server. And a clear `chat {text}` that a malicious server slips into
// the patient's socket (a Playwright WebSocket route stands in for it) is dropped by the
// page: never shown, counted with a console warning, and the encrypted chat goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { participantId, waitForTileFrames } from '../support/call-page.mjs';
import { useCallSuite } from '../support/call-suite.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, openInvitation, parsedFrames, passDeviceCheck, signIn, waitForState,
} from '../support/clinic.mjs';
import { waitForSameCode } from '../support/e2ee.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite({ serverOptions: { workers: 1 } });

async function sendChat(page, text) {
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByLabel('Message').fill(text);
  await chat.getByRole('button', { name: 'Send' }).click();
}

/**
 * A KBV practitioner and an admitted patient in one consultation, both showing the same
 * security code and each other's video. `route(patient)` runs before the patient's socket opens.
 */
async function consultation(t, title, route = async () => {}) {
  const { server, browser } = suite;
  const doc = await createPractitioner(server, { policy: 'kbv' });
  const host = await signIn(browser, server, doc);
  host.displayName = 'host';
  suite.pages.push(host);
  const appt = await createAppointment(host, { title });
  const patient = await openInvitation(browser, appt.link, 'Anna Schmidt');
  suite.pages.push(patient);
  await route(patient);
  await passDeviceCheck(patient);
  await joinAndWait(patient);

  await host.locator(`li[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
  await host.waitForURL(/\/consult\//);
  await host.getByRole('button', { name: 'Join', exact: true }).click();
  await waitForState(host, 'in_call');
  const queue = host.getByRole('region', { name: 'Waiting room' });
  await queue.getByRole('button', { name: 'Admit Anna Schmidt' }).click({ timeout: 30_000 });
  await waitForState(patient, 'in_call');
  const code = await waitForSameCode([host, patient]);
  t.diagnostic(`security code ${code}`);
  await waitForTileFrames(host, await participantId(patient));
  await waitForTileFrames(patient, await participantId(host));
  return { host, patient };
}

function diagnose(t, err) {
  t.diagnostic(`server log:\n${suite.server.logs()}`);
  for (const page of suite.pages) {
    t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
  }
  throw err;
}

test('chat in a KBV consultation is end-to-end encrypted and reads as text on both sides', { timeout: 180_000 }, async (t) => {
  try {
    const { host, patient } = await consultation(t, 'E2EE chat');

    const fromPatient = 'Mein Knie ist besser, danke.';
    const fromHost = 'Das freut mich, Frau Schmidt.';
    await sendChat(patient, fromPatient);
    await host.getByRole('region', { name: 'Chat' }).getByText(fromPatient).waitFor({ timeout: 10_000 });
    await patient.getByRole('region', { name: 'Chat' }).getByText(fromPatient).waitFor({ timeout: 10_000 });
    await sendChat(host, fromHost);
    await patient.getByRole('region', { name: 'Chat' }).getByText(fromHost).waitFor({ timeout: 10_000 });

    const chats = parsedFrames(patient).filter((m) => m.type === 'chat');
    assert.equal(chats.length, 2, 'the patient received both chat messages (its own echoed)');
    for (const m of chats) {
      assert.equal(m.text, undefined, 'no clear text in a relayed chat message');
      assert.match(m.ciphertext, /^[A-Za-z0-9_-]{40,}$/);
    }
    for (const frame of patient.wsFrames) {
      assert.ok(!frame.includes(fromPatient) && !frame.includes(fromHost), `a frame carries chat text in clear: ${frame}`);
    }
  } catch (err) {
    diagnose(t, err);
  }
});

test('a clear chat a malicious server slips into an E2EE consultation is not shown', { timeout: 180_000 }, async (t) => {
  try {
    // The patient's socket goes through a route that relays both ways and can inject
    // server messages of its own, as the server (or anyone in its place) could.
    let toPage = null;
    const { host, patient } = await consultation(t, 'E2EE clear chat', (page) => page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => upstream.send(m));
      upstream.onMessage((m) => ws.send(m));
      toPage = (m) => ws.send(m);
    }));
    const hostId = await participantId(host);
    const injected = 'Bitte überweisen Sie 500 Euro an dieses Konto.';
    toPage(JSON.stringify({ type: 'chat', from: hostId, name: 'Dr. Weber', text: injected, sent_at: new Date().toISOString() }));
    await waitFor(() => patient.consoleMessages.some((m) => m.includes('a chat message without ciphertext in an encrypted room; dropped')), {
      what: 'the patient page to drop the clear chat',
    });
    // An encrypted message sent after it arrives and shows: the clear one came first and is not there.
    const after = 'Guten Tag, Frau Schmidt.';
    await sendChat(host, after);
    const chat = patient.getByRole('region', { name: 'Chat' });
    await chat.getByText(after).waitFor({ timeout: 10_000 });
    assert.equal(await chat.getByText(injected).count(), 0, 'the clear text is not shown');
    assert.ok(!(await patient.evaluate(() => document.body.innerText)).includes(injected), 'nowhere on the page');
  } catch (err) {
    diagnose(t, err);
  }
});
