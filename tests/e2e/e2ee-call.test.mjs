// Issue 13 items 1-4 in Chromium: a KBV node (`encryption.e2ee_required`), three pages
// in one room, so the call goes through the SFU. Every page encrypts what it sends with
// SFrame and decrypts what it gets (the worker's counters rise, every tile shows frames,
// video stays VP8), all three show the same security code, which changes when someone
// joins and when someone leaves; no tile stays "not yet secured"; a key message handed to a
// page again (replay) or changed is dropped by the page itself and the call goes on.
// (Chat: e2ee-chat.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, withDiagnostics, useCallSuite } from '../support/call-suite.mjs';
import { e2eeStats, joinWithKeyLog, sentVideoCodec, waitForFramesCrypted, waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate

const suite = useCallSuite({ serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] }, browserArgs: ['--ignore-certificate-errors'] });

async function join(roomId, who) {
  const page = await joinCall(suite.browser, suite.server, roomId, { ...who, join: false });
  suite.pages.push(page);
  // Every message the page receives, and its socket, so a test can hand it one again.
  page.received = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => page.received.push(String(f.payload))));
  await page.evaluate(() => {
    window.__testSockets = [];
    window.WebSocket = new Proxy(window.WebSocket, {
      construct(target, args) {
        const ws = Reflect.construct(target, args);
        window.__testSockets.push(ws);
        return ws;
      },
    });
  });
  return joinWithKeyLog(page);
}

/** Delivers `data` to the page as if its server had sent it again. */
async function redeliver(page, data) {
  await page.evaluate((d) => window.__testSockets.at(-1).dispatchEvent(new MessageEvent('message', { data: d })), data);
}

test('three Chromium pages under KBV: SFrame through the SFU, one security code', { timeout: 180_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const alice = await join(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  const bob = await join(roomId, { identity: 'patient-1', name: 'Patient One' });
  const codeTwo = await waitForSameCode([alice, bob]);

  const carol = await join(roomId, { identity: 'interpreter', name: 'Interpreter' });
  const pages = [alice, bob, carol];
  const codeThree = await waitForSameCode(pages, { not: codeTwo });
  t.diagnostic(`security code of two: ${codeTwo}, of three: ${codeThree}`);

  const ids = await Promise.all(pages.map(participantId));
  for (const [i, page] of pages.entries()) {
    for (const [j, id] of ids.entries()) {
      if (i !== j) {
        await waitForTileFrames(page, id);
      }
    }
  }
  for (const page of pages) {
    assert.equal(await page.evaluate(() => window.__medrtc.mediaMode), 'sfu', `${page.displayName} goes through the SFU`);
    const stats = await waitForFramesCrypted(page);
    t.diagnostic(`${page.displayName}: ${JSON.stringify(stats)}`);
    assert.equal(await sentVideoCodec(page), 'video/VP8', `${page.displayName} sends VP8 under E2EE`);
    await waitFor(async () => (await page.locator('.badge.unsecured:visible').count()) === 0, { what: `${page.displayName} without "not yet secured" tiles` });
    // The code is explained where it is shown.
    await page.getByRole('region', { name: 'Security code' }).getByText('Read it out: if it matches on every screen, nobody is listening in.').waitFor();
  }

  // A key message replayed to Bob (as a server could) is dropped by Bob's own counter
  // check; one with a changed byte does not authenticate; the call goes on.
  const keyMsg = bob.received.find((f) => f.includes('"e2ee_key"'));
  assert.ok(keyMsg, 'Bob received key messages');
  const failedBefore = (await e2eeStats(bob)).failed;
  await redeliver(bob, keyMsg);
  const tampered = JSON.parse(keyMsg);
  tampered.ciphertext = tampered.ciphertext.slice(0, -2) + (tampered.ciphertext.endsWith('AA') ? 'BA' : 'AA');
  await redeliver(bob, JSON.stringify(tampered));
  await waitFor(() => bob.consoleMessages.some((m) => m.includes('a replayed key message; ignored')), { what: 'Bob to drop the replay' });
  await waitFor(() => bob.consoleMessages.some((m) => m.includes('a key message that does not authenticate; ignored')), { what: 'Bob to drop the changed message' });
  await waitForFramesCrypted(bob);
  assert.equal((await e2eeStats(bob)).failed, failedBefore);

  // Carol leaves: the two left make fresh keys, show their code of two again and keep decoding.
  await carol.getByRole('button', { name: 'Leave' }).click();
  const codeAfter = await waitForSameCode([alice, bob], { not: codeThree });
  // Every change of who is in the call is a new commitment round with fresh nonces: the
  // same two as before get a new code (docs/e2ee.md "Security code").
  assert.notEqual(codeAfter, codeTwo);
  await waitForTileFrames(alice, ids[1], { minFrames: 0 });
  await waitForTileFrames(bob, ids[0], { minFrames: 0 });
  await Promise.all([waitForFramesCrypted(alice), waitForFramesCrypted(bob)]);
  assertPagesClean(suite);
}));
