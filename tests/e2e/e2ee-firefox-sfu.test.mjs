// Issue 13: Chromium ↔ Firefox (firefox-esr) and Chromium ↔ Chromium, two parties through
// the SFU under KBV. A KBV 1:1 goes peer to peer (docs/p2p.md), so the call gets onto the
// SFU the way a real one
// does when one side cannot go direct: the second page does not announce "p2p" in its
// `join` (as an older client would not; its WebSocket.send is wrapped before "Join"). Both
// pages encrypt and decrypt (worker counters rise, no frame fails), each shows the other's
// video, both show the same security code, and the test tap (`medrtc-tap`) shows that what
// the SFU forwarded from each browser is SFrame ciphertext that decrypts with that
// sender's own key only, never with a key the server could have made up.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { launchFirefox, joinCallFirefox } from '../support/firefox.mjs';
import { closePages, joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { FIREFOX_PTS, joinWithKeyLog, keyLog, loadSframe, tapFrames, tryDecrypt, waitForFramesCrypted, waitForSameCode } from '../support/e2ee.mjs';
import { readTap, tapBinary } from '../support/media-tap.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate
// scripts/test builds it (`cmake --build build --target medrtc-tap`).
const tapBin = tapBinary();

const suite = { server: null, browser: null, firefox: null, pages: [], tapDir: null };
before(async () => {
  suite.tapDir = await mkdtemp(path.join(tmpdir(), 'medrtc-tap-'));
  suite.server = await startServer({
    workers: 1,
    bin: tapBin,
    env: { MEDRTC_TEST_TAP_DIR: suite.tapDir },
    args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'],
  });
  suite.browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
  suite.firefox = await launchFirefox({ acceptInsecureCerts: true });
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.firefox?.close();
  await suite.server?.stop();
  if (suite.tapDir) {
    await rm(suite.tapDir, { recursive: true, force: true });
  }
});

/** A page's own sender keys, from its test-only key log. */
async function ownKeys(page) {
  return (await keyLog(page)).filter((e) => e.event !== 'received').map(({ kid, key }) => ({ kid, key }));
}

// The second party: Firefox (the cross-browser case), or a second Chromium page (the same
// call between two Chromium users, which a KBV practice would otherwise run peer to peer).
const SECOND = {
  firefox: { name: 'Firefox', join: (roomId, who) => joinCallFirefox(suite.firefox, suite.server, roomId, who) },
  chromium: { name: 'a second Chromium', join: (roomId, who) => joinCall(suite.browser, suite.server, roomId, who) },
};

for (const [kind, second] of Object.entries(SECOND)) {
  test(`Chromium and ${second.name}, two parties through the SFU under KBV: SFrame both ways, one code`, { timeout: 240_000, skip: !existsSync(tapBin) && `no ${tapBin}` }, (t) => withDiagnostics(t, suite, async () => {
    await twoPartiesThroughTheSfu(t, second, kind);
  }));
}

async function twoPartiesThroughTheSfu(t, second, kind) {
  const { server, browser } = suite;
  // The tap holds this call's packets only: the previous test's pages leave and its files go.
  await closePages(suite.pages.splice(0));
  for (const file of await readdir(suite.tapDir)) {
    await rm(path.join(suite.tapDir, file), { force: true });
  }
  const sframe = await loadSframe();
  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host', join: false });
  suite.pages.push(alice);
  await joinWithKeyLog(alice);
  const fox = await second.join(roomId, { identity: `patient-${kind}`, name: 'Patient One', join: false });
  suite.pages.push(fox);
  await fox.evaluate(() => {
    // This client cannot go browser to browser: its join leaves "p2p" out.
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function sendWithoutP2p(data) {
      if (typeof data === 'string' && data.startsWith('{') && JSON.parse(data).type === 'join') {
        const msg = JSON.parse(data);
        msg.capabilities = (msg.capabilities ?? []).filter((c) => c !== 'p2p');
        return send.call(this, JSON.stringify(msg));
      }
      return send.call(this, data);
    };
  });
  await joinWithKeyLog(fox);

  const pages = [alice, fox];
  const code = await waitForSameCode(pages);
  t.diagnostic(`security code: ${code}`);
  const [aliceId, foxId] = await Promise.all(pages.map(participantId));
  await waitForTileFrames(alice, foxId);
  await waitForTileFrames(fox, aliceId);
  for (const page of pages) {
    assert.equal(await page.evaluate(() => window.__medrtc.mediaMode), 'sfu', `${page.displayName} goes through the SFU`);
    assert.equal(await page.evaluate(() => window.__medrtc.p2p), null, `${page.displayName} has no direct connection`);
    const stats = await waitForFramesCrypted(page);
    t.diagnostic(`${page.displayName}: ${JSON.stringify(stats)}`);
    assert.equal(stats.failed, 0, `${page.displayName}: no frame failed to authenticate`);
  }
  assert.doesNotMatch(server.logs(), new RegExp(`media_mode room=${roomId} mode=p2p`), 'the room never went peer to peer');

  // What the SFU forwarded: SFrame from both browsers, each decrypting with its sender's key.
  await waitFor(async () => tapFrames(await readTap(suite.tapDir), FIREFOX_PTS).length > 200, { timeoutMs: 20_000, what: 'tapped frames' });
  const records = await readTap(suite.tapDir);
  const pts = new Map();
  for (const r of records) {
    pts.set(`${r.ssrc}/${r.payloadType}`, (pts.get(`${r.ssrc}/${r.payloadType}`) ?? 0) + 1);
  }
  t.diagnostic(`tapped packets by ssrc/payload type: ${JSON.stringify([...pts])}`);
  const frames = tapFrames(records, FIREFOX_PTS);
  // The last 40 frames of every forwarded stream (each sender's audio and video).
  const sample = [...new Set(frames.map((f) => f.ssrc))].flatMap((ssrc) => frames.filter((f) => f.ssrc === ssrc).slice(-40));
  const [aliceKeys, foxKeys] = [await ownKeys(alice), await ownKeys(fox)];
  let fromAlice = 0;
  let fromFox = 0;
  let clear = 0;
  for (const f of sample) {
    if ((await tryDecrypt(sframe, f, aliceKeys)).decrypted) {
      fromAlice += 1;
    } else if ((await tryDecrypt(sframe, f, foxKeys)).decrypted) {
      fromFox += 1;
    } else if ((await tryDecrypt(sframe, f, [])).kid === null) {
      clear += 1;
    }
  }
  t.diagnostic(`tap sample of ${sample.length}: ${fromAlice} decrypt with the first Chromium's keys, ${fromFox} with ${second.name}'s, ${clear} without an SFrame header`);
  assert.ok(fromAlice > 20 && fromFox > 20, 'the SFU forwarded SFrame from both browsers');
  // Frames of the moment of a key switch may name a key logged a moment later.
  assert.ok(fromAlice + fromFox >= sample.length * 0.95, `${fromAlice + fromFox} of ${sample.length} forwarded frames decrypt with their sender's key`);
  // A key the server could make up (it never saw one of theirs) opens nothing, even under the frame's own KID.
  for (const f of sample.slice(-40)) {
    const { kid } = await tryDecrypt(sframe, f, []);
    const guesses = [{ kid, key: '00'.repeat(16) }, { kid, key: randomBytes(16).toString('hex') }];
    assert.equal((await tryDecrypt(sframe, f, guesses)).decrypted, false);
  }
}
