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
  assertNoClientErrors, assertNoForeignRequests, closePages, inboundStats, joinCall, participantId, waitForRemoteMedia, waitForTileFrames,
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
}));
