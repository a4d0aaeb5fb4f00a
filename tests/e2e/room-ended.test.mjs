// (d) DELETE /api/v1/rooms/{id} ends the call on every page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages, joinCall, waitForRemoteMedia } from '../support/call-page.mjs';
import { createRoom, deleteRoom, startServer } from '../support/server.mjs';

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

test('deleting the room shows "The consultation has ended" to everyone', { timeout: 90_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCall(browser, server, roomId, { identity: 'alice', name: 'Alice', role: 'host' });
    const bob = await joinCall(browser, server, roomId, { identity: 'bob', name: 'Bob' });
    pages.push(alice, bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);

    await deleteRoom(server, roomId);

    for (const page of [alice, bob]) {
      await page.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => window.__medrtc.state), 'ended');
      assert.equal(await page.getByRole('button', { name: 'Leave' }).count(), 0, 'call controls still shown');
      assert.equal(await page.evaluate(() => window.__medrtc.publisher), null);
      assertNoForeignRequests(page, server.baseUrl);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  }
});
