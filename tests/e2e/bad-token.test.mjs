// (e) An expired or tampered token gives a plain-words error and no call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages } from '../support/call-page.mjs';
import { createRoom, createToken, startServer, waitFor } from '../support/server.mjs';

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

/** Opens `url`, clicks Join, and returns the page once it shows the error screen. */
async function expectJoinRefused(url, expectedText) {
  const page = await newCallPage(browser, url);
  pages.push(page);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('heading', { name: 'Could not join the consultation' }).waitFor({ timeout: 15_000 });
  await page.getByText(expectedText).waitFor();
  const state = await page.evaluate(() => ({
    state: window.__medrtc.state,
    publisher: window.__medrtc.publisher,
    subscriber: window.__medrtc.subscriber,
  }));
  assert.deepEqual(state, { state: 'error', publisher: null, subscriber: null });
  assert.equal(await page.getByRole('button', { name: 'Leave' }).count(), 0);
  // No error code leaks into the visible text.
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /token_(invalid|expired)|4\d\d\d/);
  assertNoForeignRequests(page, server.baseUrl);
  return page;
}

test('a tampered token is refused in plain words', { timeout: 60_000 }, async () => {
  const roomId = await createRoom(server);
  const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'mallory', name: 'Mallory' });
  // Flip one character in the middle of the token (its signature no longer matches).
  const [path, token] = joinUrl.split('#t=');
  const i = Math.floor(token.length / 2);
  const flipped = token[i] === 'A' ? 'B' : 'A';
  const tampered = token.slice(0, i) + flipped + token.slice(i + 1);
  await expectJoinRefused(`${server.baseUrl}${path}#t=${tampered}`, /not valid|ask for a new link/i);
});

test('an expired token is refused in plain words', { timeout: 60_000 }, async () => {
  const roomId = await createRoom(server);
  const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'late', name: 'Late Comer', ttl_seconds: 1 });
  // Token expiry has one-second resolution: wait until it is surely past.
  const expiresBy = Date.now() + 2_100;
  await waitFor(() => Date.now() > expiresBy, { intervalMs: 100, what: 'the token to expire' });
  await expectJoinRefused(server.baseUrl + joinUrl, /expired|new link/i);
});

test('a link without a token says so', { timeout: 30_000 }, async () => {
  const roomId = await createRoom(server);
  const page = await newCallPage(browser, `${server.baseUrl}/call/${roomId}`);
  pages.push(page);
  await page.getByText('This link is incomplete').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Join' }).count(), 0);
});
