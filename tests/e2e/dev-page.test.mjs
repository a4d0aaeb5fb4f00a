// (f) The development page (server started with --dev) creates a room whose two links
// both work; without --dev it says it is disabled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoClientErrors, assertNoForeignRequests, clickJoin, closePages, waitForRemoteMedia } from '../support/call-page.mjs';
import { startServer } from '../support/server.mjs';

let devServer;
let plainServer;
let browser;
const pages = [];

before(async () => {
  devServer = await startServer({ dev: true });
  plainServer = await startServer({ dev: false });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await devServer?.stop();
  await plainServer?.stop();
});

test('the dev page creates a room and both links join a call', { timeout: 90_000 }, async (t) => {
  try {
    const home = await newCallPage(browser, `${devServer.baseUrl}/`, { permissions: [] });
    pages.push(home);
    await home.getByRole('button', { name: 'Create test room' }).click();
    const aliceCopy = home.getByRole('button', { name: 'Copy link for Alice' });
    const bobCopy = home.getByRole('button', { name: 'Copy link for Bob' });
    await aliceCopy.waitFor();
    await bobCopy.waitFor();

    const aliceUrl = await home.getByLabel('Join link for Alice').inputValue();
    const bobUrl = await home.getByLabel('Join link for Bob').inputValue();
    for (const url of [aliceUrl, bobUrl]) {
      assert.ok(url.startsWith(`${devServer.baseUrl}/call/`), `not an absolute join URL: ${url}`);
      assert.match(url, /#t=./);
    }
    assert.notEqual(aliceUrl, bobUrl);

    const alice = await newCallPage(browser, aliceUrl);
    alice.displayName = 'Alice';
    const bob = await newCallPage(browser, bobUrl);
    bob.displayName = 'Bob';
    pages.push(alice, bob);
    await clickJoin(alice);
    await clickJoin(bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
    await alice.getByRole('figure', { name: 'Video of Bob' }).waitFor();
    await bob.getByRole('figure', { name: 'Video of Alice' }).waitFor();
    for (const page of pages) {
      assertNoForeignRequests(page, devServer.baseUrl);
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${devServer.logs()}`);
    throw err;
  }
});

test('without --dev the dev page says it is disabled', { timeout: 30_000 }, async () => {
  const home = await newCallPage(browser, `${plainServer.baseUrl}/`, { permissions: [] });
  pages.push(home);
  await home.getByRole('button', { name: 'Create test room' }).click();
  await home.getByText('The development page is disabled on this server (start it with --dev)').waitFor();
  assert.equal(await home.getByRole('button', { name: /Copy link/ }).count(), 0);
  assertNoForeignRequests(home, plainServer.baseUrl);
});
