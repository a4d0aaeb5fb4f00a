// (b) A third participant joins and leaves; the first two keep receiving each other and
// the third's tile disappears.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinCall, participantId, tileFrames, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite();

test('a third participant joins and leaves while the others keep receiving', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { roomId, alice, bob } = await startTwoPartyCall(suite);
  const [aliceId, bobId] = [await participantId(alice), await participantId(bob)];

  const carol = await joinCall(suite.browser, suite.server, roomId, { identity: 'carol', name: 'Carol Interpreter' });
  suite.pages.push(carol);
  const carolId = await participantId(carol);
  // Carol sees both; both see Carol.
  await waitForTileFrames(carol, aliceId);
  await waitForTileFrames(carol, bobId);
  await waitForTileFrames(alice, carolId);
  await waitForTileFrames(bob, carolId);

  await carol.getByRole('button', { name: 'Leave' }).click();
  await carol.getByRole('heading', { name: 'You left the call' }).waitFor();
  assert.equal(await carol.evaluate(() => window.__medrtc.state), 'left');

  for (const page of [alice, bob]) {
    await page.getByRole('figure', { name: 'Video of Carol Interpreter' }).waitFor({ state: 'detached', timeout: 15_000 });
    await waitFor(async () => (await tileFrames(page, carolId)) === -1, { what: "Carol's tile to disappear" });
  }
  // After Carol left, Alice and Bob still get fresh frames from each other.
  await waitForTileFrames(alice, bobId, { minFrames: 0 });
  await waitForTileFrames(bob, aliceId, { minFrames: 0 });
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  assert.equal(await alice.locator('figure.tile.remote').count(), 1);
  assert.equal(await bob.locator('figure.tile.remote').count(), 1);

  assertPagesClean(suite);
}));
