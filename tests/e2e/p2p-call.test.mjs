// K7 "peer-to-peer preferred for 1:1; the server relays only when needed" (docs/p2p.md).
// A KBV node (`serve --policy kbv --region eu-de --tls-self-signed`): two Chromium pages
// call each other browser to browser — each decodes the other's video and receives audio
// on the direct connection, whose selected candidate pair joins the two browsers, and the
// server's media plane never gets a publish for the room. A third page joins: everyone
// moves to the SFU and sees everyone; mute still shows on the other side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import {
  clickJoin, joinCall, participantId, selectedPair, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import { assertPagesClean, withDiagnostics, useCallSuite } from '../support/call-suite.mjs';
import { createRoom, createToken, waitFor } from '../support/server.mjs';

// The REST helpers use fetch against the self-signed certificate of this test's server;
// node --test runs each file in its own process, so this stays inside this file.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

// A KBV node with its self-signed certificate, as tls-call.test.mjs starts one.
const suite = useCallSuite({ serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] }, browserArgs: ['--ignore-certificate-errors'] });

async function mediaMode(page) {
  return page.evaluate(() => window.__medrtc.mediaMode);
}

test('a 1:1 call under KBV runs browser to browser; a third participant moves it to the SFU', { timeout: 150_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser } = suite;
  const mediaPort = Number(/media_worker_listening worker=0 udp=[\d.]+:(\d+)/.exec(server.logs())?.[1]);
  assert.ok(mediaPort > 0, 'the server logs its media port');

  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(alice);
  const bob = await joinCall(browser, server, roomId, { identity: 'patient-1', name: 'Patient One' });
  suite.pages.push(bob);
  const [aliceId, bobId] = [await participantId(alice), await participantId(bob)];

  for (const page of [alice, bob]) {
    await waitFor(async () => (await mediaMode(page)) === 'p2p', { what: `${page.displayName} in p2p mode` });
  }
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  await waitForTileFrames(alice, bobId);
  await waitForTileFrames(bob, aliceId);
  await bob.getByRole('figure', { name: 'Video of Dr Weber' }).waitFor();
  await alice.getByRole('figure', { name: 'Video of Patient One' }).waitFor();

  // The two browsers' selected pairs mirror each other: the media goes from one to the
  // other, not to the server's media port.
  const [a, b] = [await selectedPair(alice), await selectedPair(bob)];
  t.diagnostic(`alice pair ${JSON.stringify(a)}; bob pair ${JSON.stringify(b)}; server media port ${mediaPort}`);
  assert.ok(a && b, 'both P2P connections have a selected candidate pair');
  assert.notEqual(a.remote.port, mediaPort);
  assert.notEqual(b.remote.port, mediaPort);
  assert.equal(a.remote.port, b.local.port);
  assert.equal(b.remote.port, a.local.port);

  // Nothing was sent to the server's media plane: no publisher connection on either page,
  // no subscriber offer, and the server never negotiated a publish for this room.
  for (const page of [alice, bob]) {
    const pcs = await page.evaluate(() => ({ publisher: window.__medrtc.publisher, subscriber: window.__medrtc.subscriber }));
    assert.deepEqual(pcs, { publisher: null, subscriber: null }, `${page.displayName} used the SFU`);
  }
  assert.doesNotMatch(server.logs(), new RegExp(`media_publish room=${roomId}`));
  assert.match(server.logs(), new RegExp(`media_mode room=${roomId} mode=p2p`));

  // Mute travels through signaling as before and shows on the other side.
  await alice.getByRole('button', { name: 'Mute' }).click();
  const aliceTileOnBob = bob.getByRole('figure', { name: 'Video of Dr Weber' });
  await aliceTileOnBob.getByText('Microphone off').waitFor({ state: 'visible', timeout: 10_000 });
  await alice.getByRole('button', { name: 'Mute' }).click();
  await aliceTileOnBob.getByText('Microphone off').waitFor({ state: 'hidden', timeout: 10_000 });

  // A third participant: the room moves to the SFU and everyone sees everyone.
  const carol = await joinCall(browser, server, roomId, { identity: 'carol', name: 'Carol Interpreter' });
  suite.pages.push(carol);
  const carolId = await participantId(carol);
  for (const page of [alice, bob, carol]) {
    await waitFor(async () => (await mediaMode(page)) === 'sfu', { what: `${page.displayName} in sfu mode` });
  }
  await waitFor(() => new RegExp(`media_publish room=${roomId}`).test(server.logs()), { what: 'a publish to the SFU' });
  await waitForTileFrames(carol, aliceId);
  await waitForTileFrames(carol, bobId);
  await waitForTileFrames(alice, carolId);
  await waitForTileFrames(bob, carolId);
  await waitForTileFrames(alice, bobId, { minFrames: 0 });
  await waitForTileFrames(bob, aliceId, { minFrames: 0 });
  await Promise.all([alice, bob, carol].map((p) => waitForRemoteMedia(p)));
  for (const page of [alice, bob, carol]) {
    assert.equal(await page.evaluate(() => window.__medrtc.p2p), null, `${page.displayName} kept a P2P connection`);
  }

  // Mute still shows, now through the SFU call.
  await bob.getByRole('button', { name: 'Mute' }).click();
  for (const page of [alice, carol]) {
    await page.getByRole('figure', { name: 'Video of Patient One' }).getByText('Microphone off')
      .waitFor({ state: 'visible', timeout: 10_000 });
  }

  assertPagesClean(suite);
}));

/**
 * Opens a join link whose signaling socket loses every ICE candidate of the P2P exchange
 * (trickled ones and those inside the SDP), in both directions: the two browsers can
 * then never find a path to each other, as behind two strict NATs without TURN.
 */
async function joinWithoutP2pCandidates(browser, server, roomId, { identity, name, role = 'guest' }) {
  const { join_url: joinUrl } = await createToken(server, roomId, { identity, name, role });
  const page = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  page.displayName = name;
  const strip = (text) => {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return text;
    }
    if (msg.type !== 'p2p_signal') {
      return text;
    }
    if (msg.data?.candidate !== undefined) {
      return null;
    }
    if (msg.data?.sdp?.sdp) {
      msg.data.sdp.sdp = msg.data.sdp.sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate')).join('\r\n');
    }
    return JSON.stringify(msg);
  };
  await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((m) => {
      const out = typeof m === 'string' ? strip(m) : m;
      if (out !== null) {
        upstream.send(out);
      }
    });
    upstream.onMessage((m) => {
      const out = typeof m === 'string' ? strip(m) : m;
      if (out !== null) {
        ws.send(out);
      }
    });
  });
  await page.goto(server.baseUrl + joinUrl);
  await clickJoin(page);
  return page;
}

test('a 1:1 call whose P2P cannot connect falls back to the SFU', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser } = suite;
  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(alice);
  const bob = await joinWithoutP2pCandidates(browser, server, roomId, { identity: 'patient-1', name: 'Patient One' });
  suite.pages.push(bob);
  const [aliceId, bobId] = [await participantId(alice), await participantId(bob)];

  // p2p first, then (10 s without a connection) p2p_failed and the SFU for both.
  await waitFor(() => new RegExp(`media_mode room=${roomId} mode=p2p`).test(server.logs()), { what: 'p2p mode' });
  for (const page of [alice, bob]) {
    await waitFor(async () => (await mediaMode(page)) === 'sfu', { timeoutMs: 30_000, what: `${page.displayName} in sfu mode` });
  }
  assert.match(server.logs(), new RegExp(`p2p_failed room=${roomId}`));
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  await waitForTileFrames(alice, bobId);
  await waitForTileFrames(bob, aliceId);
  for (const page of [alice, bob]) {
    assert.equal(await page.evaluate(() => window.__medrtc.p2p), null);
  }
  assertPagesClean(suite);
}));
