// Issue 13: what the SFU forwards in an E2EE call is SFrame ciphertext. `medrtc-tap` (the
// test-only build with a forwarding tap, MEDRTC_TEST_TAP_DIR) records every RTP payload
// the SFU sends on; the test puts the frames back together and shows that
//  - each has a clear codec prefix, then an SFrame header whose KID is a sender's key,
//    and decrypts with that sender's key (read from the sender's page, test-only key log);
//  - a participant who left cannot decrypt, with every key it ever held, a frame sent
//    after it left (its senders made fresh keys);
//  - a late joiner cannot decrypt, with every key it got, a frame sent before it joined
//    (its senders ratcheted forward when it came).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { closePages, joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { joinWithKeyLog, keyLog, loadSframe, tapFrames, tryDecrypt, waitForSameCode } from '../support/e2ee.mjs';
import { readTap, tapBinary } from '../support/media-tap.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate
// scripts/test builds it (`cmake --build build --target medrtc-tap`).
const tapBin = tapBinary();

const suite = { server: null, browser: null, pages: [], tapDir: null };
before(async () => {
  suite.tapDir = await mkdtemp(path.join(tmpdir(), 'medrtc-tap-'));
  suite.server = await startServer({
    workers: 1,
    bin: tapBin,
    env: { MEDRTC_TEST_TAP_DIR: suite.tapDir },
    args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'],
  });
  suite.browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.server?.stop();
  if (suite.tapDir) {
    await rm(suite.tapDir, { recursive: true, force: true });
  }
});

async function join(roomId, who) {
  const page = await joinCall(suite.browser, suite.server, roomId, { ...who, join: false });
  suite.pages.push(page);
  return joinWithKeyLog(page);
}

/** Every key a page ever held: its own and those it received. */
async function allKeys(page) {
  return (await keyLog(page)).map(({ kid, key }) => ({ kid, key }));
}

async function frames() {
  return tapFrames(await readTap(suite.tapDir));
}

/** How many of `list` decrypt with `keys`, and how many carry a KID at all. */
async function decryptable(sframe, list, keys) {
  let decrypted = 0;
  for (const f of list) {
    if ((await tryDecrypt(sframe, f, keys)).decrypted) {
      decrypted += 1;
    }
  }
  return decrypted;
}

test('the SFU forwards SFrame ciphertext; a leaver and a late joiner cannot read outside their time', { timeout: 240_000, skip: !existsSync(tapBin) && `no ${tapBin}` }, (t) => withDiagnostics(t, suite, async () => {
  const sframe = await loadSframe();
  const roomId = await createRoom(suite.server);
  const alice = await join(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  const bob = await join(roomId, { identity: 'patient-1', name: 'Patient One' });
  const carol = await join(roomId, { identity: 'interpreter', name: 'Interpreter' });
  await waitForSameCode([alice, bob, carol]);
  const [aliceId, bobId] = await Promise.all([alice, bob].map(participantId));
  await waitForTileFrames(alice, bobId);
  await waitForTileFrames(bob, aliceId);

  // 1. Everything forwarded is SFrame and decrypts with its sender's own key.
  const own = async (page) => (await keyLog(page)).filter((e) => e.event !== 'received').map(({ kid, key }) => ({ kid, key }));
  const senderKeys = [...await own(alice), ...await own(bob), ...await own(carol)];
  const early = await frames();
  const audio = early.filter((f) => f.kind === 'audio');
  const video = early.filter((f) => f.kind === 'video');
  t.diagnostic(`tap: ${audio.length} audio and ${video.length} video frames so far`);
  assert.ok(audio.length > 50 && video.length > 20, 'the tap saw audio and video');
  const sample = [...audio.slice(-100), ...video.slice(-60)];
  let withHeader = 0;
  for (const f of sample) {
    const r = await tryDecrypt(sframe, f, senderKeys);
    if (r.decrypted) {
      withHeader += 1;
    }
  }
  // Frames sent in the moment of a key switch may name a key logged a moment later; all
  // but a few decrypt with the sender's key, and only with it.
  assert.ok(withHeader >= sample.length * 0.95, `${withHeader} of ${sample.length} forwarded frames decrypt with their sender's key`);
  assert.equal(await decryptable(sframe, sample, [{ kid: 'none', key: '00'.repeat(16) }]), 0);

  // 2. Carol leaves; once Alice and Bob use their fresh keys (their logs say 'active'),
  // nothing they send decrypts with any key Carol ever had, all of it with theirs.
  const carolKeys = await allKeys(carol);
  const clickedAt = Date.now();
  await carol.getByRole('button', { name: 'Leave' }).click();
  await waitFor(async () => {
    const logs = await Promise.all([alice, bob].map(keyLog));
    return logs.every((log) => log.some((e) => e.event === 'active' && e.at > clickedAt));
  }, { what: 'Alice and Bob to switch to fresh keys' });
  // The worker switches at the next keyframe, at most 0.5 s after it got the key; frames
  // encrypted just before may still sit in the sender's pacer on a loaded machine. From
  // 3 s on, everything forwarded was encrypted after the switch.
  const switchedAt = Math.max(0, ...(await frames()).map((f) => f.ms)) + 3000;
  await waitFor(async () => (await frames()).some((f) => f.ms > switchedAt + 3000), { timeoutMs: 20_000, what: 'frames 6 s after the switch' });
  const afterLeave = (await frames()).filter((f) => f.ms > switchedAt);
  const senderKeysNow = [...await own(alice), ...await own(bob)];
  const kids = new Map();
  for (const f of afterLeave) {
    const { kid } = await tryDecrypt(sframe, f, []);
    kids.set(kid, (kids.get(kid) ?? 0) + 1);
  }
  t.diagnostic(`${afterLeave.length} frames after the leave, by KID: ${JSON.stringify([...kids])}; Carol held ${JSON.stringify(carolKeys.map((k) => k.kid))}`);
  assert.ok(afterLeave.length > 50);
  assert.equal(await decryptable(sframe, afterLeave, carolKeys), 0, "no frame after the leave decrypts with Carol's keys");
  assert.ok(await decryptable(sframe, afterLeave, senderKeysNow) >= afterLeave.length * 0.95, "they decrypt with their senders' keys");

  // 3. Dave joins late (three again, through the SFU): nothing from before his join
  // decrypts with the keys he gets.
  const before = await frames();
  const joinAt = Math.max(0, ...before.map((f) => f.ms));
  const dave = await join(roomId, { identity: 'carer', name: 'Carer' });
  await waitForSameCode([alice, bob, dave]);
  await waitForTileFrames(dave, aliceId);
  const daveKeys = await allKeys(dave);
  t.diagnostic(`dave holds ${daveKeys.length} keys; ${before.length} frames before he joined`);
  assert.ok(daveKeys.length >= 3, 'dave got keys');
  const beforeSample = before.filter((f) => f.ms > joinAt - 5000);
  assert.equal(await decryptable(sframe, beforeSample, daveKeys), 0, "no frame from before dave's join decrypts with his keys");
  // …while what is sent now reaches him: frames after his join decrypt with his keys.
  await waitFor(async () => (await frames()).some((f) => f.ms > joinAt + 5000), { timeoutMs: 20_000, what: 'frames 5 s after the join' });
  const afterJoin = (await frames()).filter((f) => f.ms > joinAt + 3000);
  const daveReceived = (await keyLog(dave)).filter((e) => e.event === 'received').map(({ kid, key }) => ({ kid, key }));
  assert.ok(await decryptable(sframe, afterJoin, daveReceived) > 0, "dave can read what the others send after he joined");
}));
