// K7 through hospital NATs (docs/p2p.md): a KBV node with TURN; both Chromium pages are
// forced to iceTransportPolicy "relay", so their peer-to-peer connection can only meet
// through coturn with the TURN REST credentials of `joined.ice_servers`. Passes only if
// the call is in p2p mode, both decode each other, each side's selected pair is relay to
// relay, and the server's media plane got no publish for the room.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { startCoturn } from '../support/coturn.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCallRelayOnly, waitForRemoteMedia } from '../support/call-page.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

// The REST helpers use fetch against the self-signed certificate of this test's server.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let turn;
let server;
let browser;
const pages = [];

before(async () => {
  turn = await startCoturn();
  server = await startServer({
    workers: 1,
    args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed', ...turn.serveArgs],
  });
  browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
  await turn?.stop();
});

/** The P2P connection's selected pair: candidate types and the bytes it carried. */
async function p2pPair(page) {
  return page.evaluate(async () => {
    const pc = window.__medrtc.p2p;
    if (!pc || pc.connectionState !== 'connected') {
      return null;
    }
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        pair = stats.get(s.selectedCandidatePairId);
      }
    });
    const local = pair ? stats.get(pair.localCandidateId) : null;
    const remote = pair ? stats.get(pair.remoteCandidateId) : null;
    return {
      local: local?.candidateType ?? null,
      remote: remote?.candidateType ?? null,
      bytesSent: pair?.bytesSent ?? 0,
      bytesReceived: pair?.bytesReceived ?? 0,
      iceServers: pc.getConfiguration().iceServers?.length ?? 0,
      policy: pc.getConfiguration().iceTransportPolicy,
    };
  });
}

test('a P2P 1:1 call forced through coturn (relay only) under KBV', { timeout: 120_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCallRelayOnly(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(alice);
    const bob = await joinCallRelayOnly(browser, server, roomId, { identity: 'patient-1', name: 'Patient One', role: 'guest' });
    pages.push(bob);
    for (const page of [alice, bob]) {
      await waitFor(() => page.evaluate(() => window.__medrtc.mediaMode === 'p2p'), { what: `${page.displayName} in p2p mode` });
    }
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);

    for (const page of [alice, bob]) {
      const pair = await p2pPair(page);
      t.diagnostic(`${page.displayName}: ${JSON.stringify(pair)}`);
      assert.ok(pair, `${page.displayName} has no connected P2P connection`);
      assert.equal(pair.policy, 'relay');
      assert.equal(pair.iceServers, 1, `${page.displayName} got no TURN server from joined.ice_servers`);
      assert.equal(pair.local, 'relay');
      assert.equal(pair.remote, 'relay');
      assert.ok(pair.bytesReceived > 0 && pair.bytesSent > 0, `${page.displayName}'s pair carried no bytes`);
      const pcs = await page.evaluate(() => ({ publisher: window.__medrtc.publisher, subscriber: window.__medrtc.subscriber }));
      assert.deepEqual(pcs, { publisher: null, subscriber: null }, `${page.displayName} used the SFU`);
      assertNoForeignRequests(page, server.baseUrl);
      assertNoClientErrors(page);
    }
    assert.doesNotMatch(server.logs(), new RegExp(`media_publish room=${roomId}`));
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    t.diagnostic(`coturn log (tail):\n${await turn?.logTail()}`);
    throw err;
  }
});
