// Issue 13 tests: Chromium ↔ Firefox (firefox-esr, WebDriver BiDi) end to end encrypted
// through the SFU under KBV. Three parties (a KBV 1:1 goes peer to peer): Chromium with
// RTCRtpScriptTransform, Firefox with RTCRtpScriptTransform, and a Chromium that has only
// the encoded streams (RTCRtpScriptTransform removed before the page loads: the fallback
// path). Each page encrypts and decrypts (worker counters rise), every tile shows frames,
// and all three show the same security code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { launchFirefox, joinCallFirefox } from '../support/firefox.mjs';
import { closePages, joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { joinWithKeyLog, waitForFramesCrypted, waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, startServer } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate

const suite = { server: null, browser: null, firefox: null, pages: [] };
before(async () => {
  suite.server = await startServer({ workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] });
  suite.browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
  suite.firefox = await launchFirefox({ acceptInsecureCerts: true });
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.firefox?.close();
  await suite.server?.stop();
});

test('Chromium, Firefox and a Chromium on encoded streams decrypt each other through the SFU', { timeout: 180_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser, firefox } = suite;
  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host', join: false });
  suite.pages.push(alice);
  await joinWithKeyLog(alice);
  const fox = await joinCallFirefox(firefox, server, roomId, { identity: 'patient-1', name: 'Patient One', join: false });
  suite.pages.push(fox);
  await joinWithKeyLog(fox);
  const carol = await joinCall(browser, server, roomId, { identity: 'interpreter', name: 'Interpreter', join: false });
  suite.pages.push(carol);
  await carol.evaluate(() => {
    // Before "Join": the session picks the transform when it joins.
    delete window.RTCRtpScriptTransform;
  });
  await joinWithKeyLog(carol);

  const pages = [alice, fox, carol];
  const code = await waitForSameCode(pages);
  t.diagnostic(`security code: ${code}`);
  const ids = await Promise.all(pages.map(participantId));
  for (const [i, page] of pages.entries()) {
    for (const [j, id] of ids.entries()) {
      if (i !== j) {
        await waitForTileFrames(page, id);
      }
    }
  }
  for (const page of pages) {
    const stats = await waitForFramesCrypted(page);
    t.diagnostic(`${page.displayName}: ${JSON.stringify(stats)}`);
    assert.equal(stats.failed, 0, `${page.displayName}: no frame failed to authenticate`);
  }
}));
