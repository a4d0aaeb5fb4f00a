// (a) Two people join one room through the web client and each decodes the other's video
// and receives the other's audio. Also: the token leaves the address bar, and no page
// talks to another origin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCall, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { createRoom, startServer } from '../support/server.mjs';

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

test('two participants see and hear each other', { timeout: 90_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(alice);
    const bob = await joinCall(browser, server, roomId, { identity: 'patient-1', name: 'Patient One' });
    pages.push(bob);

    for (const page of [alice, bob]) {
      assert.ok(!page.url().includes('#t='), `token still in the address bar: ${page.url()}`);
    }

    const [aliceStats, bobStats] = await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
    t.diagnostic(`alice: ${JSON.stringify(aliceStats)}`);
    t.diagnostic(`bob: ${JSON.stringify(bobStats)}`);

    // The frames land in the right tile (keyed by the msid participant id), captioned by name.
    await waitForTileFrames(alice, await participantId(bob));
    await waitForTileFrames(bob, await participantId(alice));
    await alice.getByRole('figure', { name: 'Video of Patient One' }).waitFor();
    await bob.getByRole('figure', { name: 'Video of Dr Weber' }).waitFor();

    for (const page of [alice, bob]) {
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
