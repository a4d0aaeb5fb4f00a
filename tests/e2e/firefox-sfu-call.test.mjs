// Issue 11 item 4: Firefox and Chromium in one call through the SFU. Debian's Firefox ESR
// (WebDriver BiDi, tests/support/firefox.mjs) and Debian's Chromium join the same room
// through the web client; each decodes the other's video and receives the other's audio
// (inbound-rtp framesDecoded, audio packets and bytes rising), in the tile of the right
// participant, with no flag on either browser that changes ICE.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { launchFirefox, joinCallFirefox } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, closePages, inboundStats, joinCall, participantId, tileFrames, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

const suite = { server: null, browser: null, firefox: null, pages: [] };
before(async () => {
  suite.server = await startServer({ workers: 1 });
  suite.browser = await launchChromium();
  suite.firefox = await launchFirefox();
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.firefox?.close();
  await suite.server?.stop();
});

/** Waits until the page's received audio bytes rise past what they were at the call. */
async function waitForAudioBytesRising(page) {
  const first = (await inboundStats(page)).audio.bytesReceived;
  return waitFor(async () => (await inboundStats(page)).audio.bytesReceived > first, {
    timeoutMs: 10_000, what: `${page.displayName}'s received audio bytes to rise`,
  });
}

test('Firefox and Chromium see and hear each other through the SFU', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser, firefox } = suite;
  const roomId = await createRoom(server);
  const chromiumPage = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(chromiumPage);
  const firefoxPage = await joinCallFirefox(firefox, server, roomId, { identity: 'patient-1', name: 'Patient One' });
  suite.pages.push(firefoxPage);

  const [onChromium, onFirefox] = await Promise.all([waitForRemoteMedia(chromiumPage), waitForRemoteMedia(firefoxPage)]);
  t.diagnostic(`chromium receives ${JSON.stringify(onChromium)}`);
  t.diagnostic(`firefox receives ${JSON.stringify(onFirefox)}`);
  await Promise.all([waitForAudioBytesRising(chromiumPage), waitForAudioBytesRising(firefoxPage)]);

  await waitForTileFrames(chromiumPage, await participantId(firefoxPage));
  await waitForTileFrames(firefoxPage, await participantId(chromiumPage));
  await chromiumPage.getByRole('figure', { name: 'Video of Patient One' }).waitFor();
  await firefoxPage.getByRole('figure', { name: 'Video of Dr Weber' }).waitFor();

  // With media flowing, neither page still says "Connecting…" or offers "Try again".
  for (const page of suite.pages) {
    await page.getByText('Connecting…').waitFor({ state: 'hidden', timeout: 5_000 });
    assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0, `${page.displayName} offers "Try again"`);
  }
  for (const page of suite.pages) {
    assertNoForeignRequests(page, server.baseUrl);
    assertNoClientErrors(page);
  }
  // The next test needs the CPU for four pages of its own.
  await closePages(suite.pages.splice(0));
}));

test('Firefox follows the room as others join and leave (renegotiation of its subscriber connection)', { timeout: 180_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser, firefox } = suite;
  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(alice);
  const fox = await joinCallFirefox(firefox, server, roomId, { identity: 'patient-2', name: 'Patient Two' });
  suite.pages.push(fox);
  const [aliceId, foxId] = [await participantId(alice), await participantId(fox)];
  await waitForTileFrames(fox, aliceId);

  // A third participant: Firefox's subscriber connection gets a second video and audio.
  const carol = await joinCall(browser, server, roomId, { identity: 'carol', name: 'Carol Interpreter' });
  suite.pages.push(carol);
  const carolId = await participantId(carol);
  await waitForTileFrames(fox, carolId);
  await waitForTileFrames(carol, foxId);
  await waitFor(async () => (await inboundStats(fox)).video.streams >= 2, { what: 'Firefox to receive two videos' });

  // Carol leaves: her tile goes, Alice's keeps playing in Firefox.
  await carol.getByRole('button', { name: 'Leave' }).click();
  await fox.getByRole('figure', { name: 'Video of Carol Interpreter' }).waitFor({ state: 'detached', timeout: 15_000 });
  await waitFor(async () => (await tileFrames(fox, carolId)) === -1, { what: "Carol's tile to disappear in Firefox" });
  await waitForTileFrames(fox, aliceId, { minFrames: 0 });

  // Someone joins after the leave (the server may reuse the freed m-lines): Firefox shows them.
  const dave = await joinCall(browser, server, roomId, { identity: 'dave', name: 'Dave Nurse' });
  suite.pages.push(dave);
  await waitForTileFrames(fox, await participantId(dave));
  await waitForTileFrames(dave, foxId);
  await waitForTileFrames(fox, aliceId, { minFrames: 0 });
  await waitForRemoteMedia(fox);
  assert.equal(await fox.locator('figure.tile.remote').count(), 2);
  assertNoClientErrors(fox);
}));
