// A call through coturn only: both Chromium pages are forced to iceTransportPolicy
// "relay" (window.__medrtcForceRelay), medrtc hands out TURN REST credentials in
// `joined.ice_servers`, and coturn (scripts/lib/coturn.sh, use-auth-secret) relays every
// packet to the media server on this machine's interface address. Passes only if frames
// are decoded AND the selected candidate pair's local candidate is of type "relay".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { startCoturn } from '../support/coturn.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCallRelayOnly, waitForRemoteMedia, serverPairs } from '../support/call-page.mjs';
import { createRoom, startServer } from '../support/server.mjs';

let turn;
let server;
let browser;
const pages = [];

before(async () => {
  turn = await startCoturn();
  server = await startServer({
    workers: 1,
    args: turn.serveArgs,
  });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
  await turn?.stop();
});


test('a call forced through coturn (relay only) decodes video on both sides', { timeout: 120_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCallRelayOnly(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(alice);
    const bob = await joinCallRelayOnly(browser, server, roomId, { identity: 'patient-1', name: 'Patient One', role: 'guest' });
    pages.push(bob);

    const [aliceStats, bobStats] = await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
    t.diagnostic(`alice: ${JSON.stringify(aliceStats)}`);
    t.diagnostic(`bob: ${JSON.stringify(bobStats)}`);
    assert.ok(aliceStats.video.framesDecoded > 0 && bobStats.video.framesDecoded > 0);

    for (const page of [alice, bob]) {
      const pairs = await serverPairs(page);
      t.diagnostic(`${page.displayName}: ${JSON.stringify(pairs)}`);
      for (const name of ['publisher', 'subscriber']) {
        const p = pairs[name];
        assert.ok(p, `${page.displayName} has no ${name} connection`);
        assert.equal(p.policy, 'relay', `${page.displayName} ${name} was not forced to relay`);
        assert.equal(p.iceServers, 1, `${page.displayName} ${name} got no TURN server from joined.ice_servers`);
        assert.equal(p.localType, 'relay', `${page.displayName} ${name} selected a ${p.localType} candidate, not relay`);
        assert.equal(p.relayProtocol, 'udp');
        assert.ok(p.bytesReceived > 0 && p.bytesSent > 0, `${page.displayName} ${name} pair carried no bytes`);
      }
      assertNoForeignRequests(page, server.baseUrl);
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    t.diagnostic(`coturn log (tail):\n${await turn?.logTail()}`);
    throw err;
  }
});
