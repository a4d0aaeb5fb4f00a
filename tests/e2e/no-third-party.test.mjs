// K10 / web.third_party_origins = []: every page of the web client (development page,
// call page in a live call, and the clinic pages) loads and talks only to our own origin.
// Requests are recorded on the browser context (every page, frame and worker), and any
// Content-Security-Policy violation (a request the browser blocked before it left) fails
// the test too, so "blocked by CSP" cannot hide a third-party reference.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { clickJoin, closePages, waitForRemoteMedia } from '../support/call-page.mjs';
import { createRoom, createToken, startServer } from '../support/server.mjs';

// The clinic entries of the web build (web/vite.config.ts): the routed path first, the
// file itself when the server does not route that path (yet).
const CLINIC_PAGES = [
  ['/login', '/login.html'],
  ['/dashboard', '/dashboard.html'],
  ['/join', '/join.html'],
  ['/consult/a_0000000000000000', '/consult.html'],
];

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1, dev: true });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

/** A context whose every request (any page, frame or worker) and CSP violation is recorded. */
async function recordingContext(permissions = ['camera', 'microphone']) {
  const context = await browser.newContext();
  if (permissions.length) {
    await context.grantPermissions(permissions, { origin: server.baseUrl });
  }
  context.requests = [];
  context.documents = [];
  context.on('request', (req) => context.requests.push(req.url()));
  context.on('response', (res) => {
    if (res.request().resourceType() === 'document') {
      context.documents.push({ url: res.url(), csp: res.headers()['content-security-policy'] ?? '', referrer: res.headers()['referrer-policy'] ?? '' });
    }
  });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return context;
}

function foreign(urls) {
  const origin = new URL(server.baseUrl);
  return urls.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) {
      return false;
    }
    const url = new URL(u);
    const sameHttp = url.origin === origin.origin;
    const sameWs = (url.protocol === 'ws:' || url.protocol === 'wss:') && url.host === origin.host;
    return !(sameHttp || sameWs);
  });
}

async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? []).catch(() => []);
}

function assertOwnOriginOnly(context, what) {
  assert.ok(context.requests.length > 0, `${what}: no request was recorded at all`);
  assert.deepEqual(foreign(context.requests), [], `${what} made requests to other origins`);
  for (const doc of context.documents) {
    assert.match(doc.csp, /default-src 'self'/, `${doc.url} has no CSP default-src 'self'`);
    assert.equal(doc.referrer, 'no-referrer', `${doc.url} has no Referrer-Policy: no-referrer`);
  }
}

test('the development page and a live call request only our origin', { timeout: 120_000 }, async (t) => {
  const context = await recordingContext();
  try {
    const home = await context.newPage();
    pages.push(home);
    await home.goto(`${server.baseUrl}/`);
    await home.getByRole('button', { name: 'Create test room' }).click();
    await home.getByLabel('Join link for Alice').waitFor();
    assert.deepEqual(await cspViolations(home), []);

    const roomId = await createRoom(server);
    const callPages = [];
    for (const [identity, name, role] of [['dr-weber', 'Dr Weber', 'host'], ['patient-1', 'Patient One', 'guest']]) {
      const { join_url: joinUrl } = await createToken(server, roomId, { identity, name, role });
      const page = await context.newPage();
      page.displayName = name;
      pages.push(page);
      callPages.push(page);
      await page.goto(server.baseUrl + joinUrl);
      await clickJoin(page);
    }
    await Promise.all(callPages.map((p) => waitForRemoteMedia(p)));
    for (const page of callPages) {
      assert.deepEqual(await cspViolations(page), [], `${page.displayName} had CSP violations`);
    }
    assertOwnOriginOnly(context, 'dev page and call pages');
    t.diagnostic(`${context.requests.length} requests, all to ${server.baseUrl}`);
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
});

test('the clinic pages request only our origin', { timeout: 60_000 }, async (t) => {
  const context = await recordingContext();
  try {
    for (const [routed, file] of CLINIC_PAGES) {
      const page = await context.newPage();
      pages.push(page);
      let p = routed;
      let res = await page.goto(server.baseUrl + p);
      if (res?.status() === 404) {
        p = file;
        res = await page.goto(server.baseUrl + p);
      }
      assert.ok(res && res.status() < 400, `${p} answered ${res?.status()}`);
      await page.waitForLoadState('networkidle').catch(() => {});
      assert.deepEqual(await cspViolations(page), [], `${p} had CSP violations`);
    }
    assertOwnOriginOnly(context, 'clinic pages');
    t.diagnostic(`${context.requests.length} requests, all to ${server.baseUrl}`);
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
});
