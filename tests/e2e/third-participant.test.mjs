// (b) A third participant joins and leaves; the first two keep receiving each other and
// the third's tile disappears.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCall, participantId, tileFrames, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1 });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

test('a third participant joins and leaves while the others keep receiving', { timeout: 120_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCall(browser, server, roomId, { identity: 'alice', name: 'Alice', role: 'host' });
    const bob = await joinCall(browser, server, roomId, { identity: 'bob', name: 'Bob' });
    pages.push(alice, bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
    const [aliceId, bobId] = [await participantId(alice), await participantId(bob)];

    const carol = await joinCall(browser, server, roomId, { identity: 'carol', name: 'Carol Interpreter' });
    pages.push(carol);
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

    for (const page of pages) {
      assertNoForeignRequests(page, server.baseUrl);
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});
