// A KBV node as an operator would start it on a LAN: `serve --policy kbv --region eu-de
// --tls-self-signed`. Two Chromium pages call each other over https + wss (the browser is
// told to accept the self-signed certificate), every page response carries HSTS, and a
// recording request is refused naming the rule.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCall, waitForRemoteMedia } from '../support/call-page.mjs';
import { createRoom, startServer } from '../support/server.mjs';

// The REST helpers use fetch against the self-signed certificate of this test's server;
// node --test runs each file in its own process, so this stays inside this file.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] });
  browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

test('a KBV node with a self-signed certificate: call over https and wss', { timeout: 90_000 }, async (t) => {
  try {
    assert.match(server.baseUrl, /^https:\/\//);
    assert.match(server.logs(), /policy=kbv region=eu-de tls=1\.2/);
    const roomId = await createRoom(server);
    const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(alice);
    const bob = await joinCall(browser, server, roomId, { identity: 'patient-1', name: 'Patient One' });
    pages.push(bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);

    const res = await alice.request.get(`${server.baseUrl}/call/${roomId}`, { ignoreHTTPSErrors: true });
    assert.equal(res.headers()['strict-transport-security'], 'max-age=31536000');
    assert.equal(res.headers()['referrer-policy'], 'no-referrer');
    assert.match(res.headers()['content-security-policy'], /default-src 'self'.*frame-ancestors 'none'/);
    for (const page of pages) {
      // The listener speaks only TLS, so a joined call means the signaling ran over wss.
      assert.ok(page.url().startsWith('https://'), page.url());
      assertNoForeignRequests(page, server.baseUrl);
      assertNoClientErrors(page);
    }

    const rec = await fetch(`${server.baseUrl}/api/v1/rooms/${roomId}/recordings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    assert.equal(rec.status, 403);
    const problem = await rec.json();
    assert.equal(problem.code, 'policy_refused');
    assert.match(problem.detail, /^policy kbv: rule recording\.allowed=false/);
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  }
});
