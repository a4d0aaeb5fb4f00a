// Issue 11 items 1 and 4: a stock Firefox — only the fake camera/microphone and the
// permission click replaced, nothing that changes ICE (support/firefox.mjs) — opens the
// two links of the development page from `/` against `medrtc serve` started as
// ./scripts/run starts it (--dev, no --media-ip): Firefox ↔ Firefox through the SFU, both
// decode and hear each other over one of the server's announced (non-loopback) addresses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FIREFOX_PREFS, launchFirefox, newFirefoxCallPage } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, clickJoin, closePages, participantId, selectedPair, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import { startServer } from '../support/server.mjs';

let server;
let firefox;
const pages = [];

before(async () => {
  server = await startServer({ dev: true });
  firefox = await launchFirefox();
});

after(async () => {
  await closePages(pages);
  await firefox?.close();
  await server?.stop();
});

test('a stock Firefox holds a call between the two dev-page links', { timeout: 90_000 }, async (t) => {
  assert.ok(!Object.keys(FIREFOX_PREFS).some((k) => k.startsWith('media.peerconnection')), 'no ICE preference');
  try {
    const home = await newFirefoxCallPage(firefox, `${server.baseUrl}/`);
    home.displayName = 'home';
    pages.push(home);
    await home.getByRole('button', { name: 'Create test room' }).click();
    const aliceUrl = await home.getByLabel('Join link for Alice').inputValue();
    const bobUrl = await home.getByLabel('Join link for Bob').inputValue();

    const alice = await newFirefoxCallPage(firefox, aliceUrl);
    alice.displayName = 'Alice';
    const bob = await newFirefoxCallPage(firefox, bobUrl);
    bob.displayName = 'Bob';
    pages.push(alice, bob);
    await clickJoin(alice);
    await clickJoin(bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
    await waitForTileFrames(alice, await participantId(bob));
    await waitForTileFrames(bob, await participantId(alice));

    for (const page of [alice, bob]) {
      for (const which of ['publisher', 'subscriber']) {
        const pair = await selectedPair(page, which);
        t.diagnostic(`${page.displayName} ${which}: ${JSON.stringify(pair)}`);
        assert.ok(pair, `${page.displayName}'s ${which} has a selected pair`);
        assert.doesNotMatch(pair.remote.address, /^(127\.|::1$)/, 'media over loopback');
      }
      assertNoClientErrors(page);
      assertNoForeignRequests(page, server.baseUrl);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});
