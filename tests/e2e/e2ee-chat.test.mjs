// Issue 13 item 4: chat in an end-to-end encrypted consultation. A KBV practice (its
// tenant profile requires E2EE), the patient admitted from the waiting room: both show
// the same security code, chat goes both ways and reads as text, and every chat message
// the patient's page received over the WebSocket carries only `ciphertext` — the text
// never crossed the server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { closePages, participantId, waitForTileFrames } from '../support/call-page.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, openInvitation, parsedFrames, passDeviceCheck, signIn, waitForState,
} from '../support/clinic.mjs';
import { waitForSameCode } from '../support/e2ee.mjs';
import { startServer } from '../support/server.mjs';

const suite = { server: null, browser: null, pages: [] };
before(async () => {
  suite.server = await startServer({ workers: 1 });
  suite.browser = await launchChromium();
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.server?.stop();
});

async function sendChat(page, text) {
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByLabel('Message').fill(text);
  await chat.getByRole('button', { name: 'Send' }).click();
}

test('chat in a KBV consultation is end-to-end encrypted and reads as text on both sides', { timeout: 180_000 }, async (t) => {
  const { server, browser } = suite;
  try {
    const doc = await createPractitioner(server, { policy: 'kbv' });
    const host = await signIn(browser, server, doc);
    host.displayName = 'host';
    suite.pages.push(host);
    const appt = await createAppointment(host, { title: 'E2EE chat' });
    const patient = await openInvitation(browser, appt.link, 'Anna Schmidt');
    suite.pages.push(patient);
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
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of suite.pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    throw err;
  }
});
