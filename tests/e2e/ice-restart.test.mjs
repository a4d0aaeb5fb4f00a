// Recovery without leaving the call (docs/protocol.md "Recovery"). An ICE restart that the
// client starts on the browser's `online` event renews the ICE credentials of both
// connections to the server while DTLS/SRTP, the participant id and the other side's view
// stay; and a client whose pings go unanswered reconnects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickJoin, inboundStats, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite();

/** The ICE ufrags of Bob's two connections: ours and the server's. */
async function ufrags(page) {
  return page.evaluate(() => {
    const ufrag = (sdp) => /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1] ?? null;
    const { publisher, subscriber } = window.__medrtc;
    return {
      pubLocal: ufrag(publisher?.localDescription?.sdp),
      pubRemote: ufrag(publisher?.remoteDescription?.sdp),
      subLocal: ufrag(subscriber?.localDescription?.sdp),
      subRemote: ufrag(subscriber?.remoteDescription?.sdp),
      dtls: [publisher, subscriber].map((pc) => pc?.getSenders().concat(pc.getReceivers())
        .map((x) => x.transport?.state).find(Boolean) ?? null),
    };
  });
}

test('the online event restarts ICE on both connections and the call goes on', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite);
  const bobId = await participantId(bob);
  const aliceId = await participantId(alice);
  const before = await ufrags(bob);
  assert.ok(before.pubRemote && before.subRemote, `no server ufrags: ${JSON.stringify(before)}`);
  const logBefore = suite.server.logs().length;

  const restartAt = Date.now();
  await bob.evaluate(() => window.dispatchEvent(new Event('online')));
  const after = await waitFor(async () => {
    const u = await ufrags(bob);
    const restarts = await bob.evaluate(() => window.__medrtc.iceRestarts);
    return restarts >= 2 && u.pubRemote !== before.pubRemote && u.subRemote !== before.subRemote
      && u.pubLocal !== before.pubLocal && u.subLocal !== before.subLocal ? u : null;
  }, { timeoutMs: 10_000, what: 'new ICE credentials on both sides of both of Bob\'s connections' });
  t.diagnostic(`ufrags before ${JSON.stringify(before)}, after ${JSON.stringify(after)} (${Date.now() - restartAt} ms)`);
  // Same DTLS transports throughout: nothing was torn down.
  assert.deepEqual(after.dtls, ['connected', 'connected']);

  // Media keeps flowing both ways over the restarted connections, to and from the same
  // participant ids; nobody left, nobody joined.
  const bobStats = await inboundStats(bob);
  const aliceStats = await inboundStats(alice);
  await waitFor(async () => {
    const [b, a] = await Promise.all([inboundStats(bob), inboundStats(alice)]);
    return b.video.framesDecoded > bobStats.video.framesDecoded + 30
      && a.video.framesDecoded > aliceStats.video.framesDecoded + 30;
  }, { timeoutMs: 15_000, what: 'video to keep decoding on both sides after the restart' });
  await waitForTileFrames(alice, bobId);
  await waitForTileFrames(bob, aliceId);
  assert.equal(await participantId(bob), bobId);
  assert.equal(await bob.evaluate(() => window.__medrtc.state), 'in_call');
  assert.equal(await alice.locator('figure.tile.remote').count(), 1);
  const log = suite.server.logs().slice(logBefore);
  assert.doesNotMatch(log, /participant_(left|joined)/, 'the restart looked like a leave or join');
  assert.match(log, /media_ice_restart room=\S+ participant=\S+ connection=publisher/);
  assert.match(log, /media_ice_restart room=\S+ participant=\S+ connection=subscriber/);
  assertPagesClean(suite);
}));

test('a client whose last 3 pings got no pong reconnects', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite, { bobJoins: false });
  const sockets = [];
  await bob.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    const first = sockets.length === 0;
    sockets.push(ws);
    // The first socket's path "dies" for pongs only: everything else still flows, so only
    // the missing pongs can make the client give it up.
    server.onMessage((message) => {
      if (!(first && typeof message === 'string' && message.includes('"type":"pong"'))) {
        ws.send(message);
      }
    });
  });
  await clickJoin(bob);
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  const joinedAt = Date.now();

  // Pings go out every 10 s; the fourth tick finds three unanswered.
  await waitFor(() => sockets.length === 2, { timeoutMs: 60_000, what: 'Bob to open a new WebSocket' });
  t.diagnostic(`reconnected ${Date.now() - joinedAt} ms after joining`);
  assert.ok(Date.now() - joinedAt >= 25_000, 'gave up before 3 pings could go unanswered');
  await waitFor(() => bob.evaluate(() => window.__medrtc.state === 'in_call'), { timeoutMs: 30_000, what: 'Bob in the call again' });
  // A new join (session resume would keep the id): Alice's old stream stats stay in her
  // sums, so follow the tile of Bob's new participant id.
  await waitForTileFrames(alice, await participantId(bob));
  await waitForTileFrames(bob, await participantId(alice));
  assertPagesClean(suite, { clientErrors: false });
}));
