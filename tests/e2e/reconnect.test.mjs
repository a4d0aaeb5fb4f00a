// When the signaling WebSocket drops unexpectedly and the server gave no resume token (a
// server from before session resume: the route below strips `resume_token` from what the
// server sends), the client says "Reconnecting…", joins again with the same token and gets
// media flowing again. The drop is made by routing the page's WebSocket through Playwright
// and closing it from the test side. (With a resume token: websocket-kill.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickJoin, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite();

test('a dropped signaling socket reconnects with the same token', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite, { bobJoins: false });
  const sockets = [];
  await bob.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const msg = JSON.parse(message);
      delete msg.resume_token;
      ws.send(JSON.stringify(msg));
    });
    sockets.push(ws);
  });
  await clickJoin(bob);
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  const firstBobId = await participantId(bob);

  await sockets.at(-1).close({ code: 1001, reason: 'test: network drop' });
  await waitFor(() => bob.evaluate(() => window.__medrtc.state === 'reconnecting'), { timeoutMs: 10_000, what: 'state reconnecting' });
  await bob.getByRole('alert').getByText('Reconnecting…').waitFor();

  await waitFor(() => bob.evaluate(() => window.__medrtc.state === 'in_call'), { timeoutMs: 30_000, what: 'state in_call again' });
  assert.equal(sockets.length, 2, 'expected exactly one new WebSocket');
  const bobId = await participantId(bob);
  t.diagnostic(`bob was ${firstBobId}, now ${bobId}`);
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  await waitForTileFrames(alice, bobId);
  await waitForTileFrames(bob, await participantId(alice));
  // One tile per person, no ghost of the old connection.
  await waitFor(async () => (await alice.locator('figure.tile.remote').count()) === 1, { what: 'Alice to show exactly one remote tile' });
  assert.equal(await bob.locator('figure.tile.remote').count(), 1);
  assertPagesClean(suite);
}));
