// Issue 13 item 5 in the browser: on a KBV node every call is end-to-end encrypted; a
// browser that cannot encrypt frames (here: Chromium with RTCRtpScriptTransform and the
// encoded streams removed before the page loads) does not claim "e2ee" when it joins, is
// refused (`e2ee_unsupported`, docs/protocol.md) and says so in plain words, never
// entering the call. The same browser with its APIs intact joins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { clickJoin } from '../support/call-page.mjs';
import { withDiagnostics, useCallSuite } from '../support/call-suite.mjs';
import { createRoom, createToken, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate

const suite = useCallSuite({ serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] }, browserArgs: ['--ignore-certificate-errors'] });

test('a browser without frame encryption is told in plain words and not let into a KBV call', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const { join_url: joinUrl } = await createToken(suite.server, roomId, { identity: 'patient-1', name: 'Patient One' });
  const page = await newCallPage(suite.browser, suite.server.baseUrl + joinUrl, { goto: false });
  page.displayName = 'Old browser';
  suite.pages.push(page);
  await page.addInitScript(() => {
    delete window.RTCRtpScriptTransform;
    delete RTCRtpSender.prototype.createEncodedStreams;
    delete RTCRtpReceiver.prototype.createEncodedStreams;
  });
  await page.goto(suite.server.baseUrl + joinUrl);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByText('This consultation is end-to-end encrypted, and this browser cannot do that.', { exact: false }).waitFor({ timeout: 15_000 });
  await waitFor(async () => (await page.evaluate(() => window.__medrtc.state)) === 'error', { what: 'the page to end in state error' });
  assert.equal(await page.evaluate(() => window.__medrtc.publisher), null, 'nothing was published');

  // The same browser, APIs intact, joins the same room.
  const { join_url: okUrl } = await createToken(suite.server, roomId, { identity: 'patient-2', name: 'Patient Two' });
  const ok = await newCallPage(suite.browser, suite.server.baseUrl + okUrl);
  ok.displayName = 'Current browser';
  suite.pages.push(ok);
  await clickJoin(ok);
  assert.equal(await ok.evaluate(() => window.__medrtc.state), 'in_call');
}));
