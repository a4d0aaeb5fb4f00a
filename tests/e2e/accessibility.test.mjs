// Accessibility and CSP basics of the call page: language, names of every control,
// keyboard reachability of Join, a polite live region, and no inline styles or scripts
// in the served HTML (the CSP forbids them).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { closePages } from '../support/call-page.mjs';
import { createRoom, createToken, startServer } from '../support/server.mjs';

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

test('served HTML has lang, no inline script and no style attributes', async () => {
  const roomId = await createRoom(server);
  for (const path of ['/', `/call/${roomId}`, '/setup']) {
    const res = await fetch(server.baseUrl + path);
    assert.equal(res.status, 200, path);
    const html = await res.text();
    assert.match(html, /<html lang="[a-z]{2}">/, `${path}: lang`);
    assert.doesNotMatch(html, /\sstyle=/i, `${path}: style attribute`);
    for (const [, attrs, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(attrs, /\ssrc=/, `${path}: inline <script>`);
      assert.equal(body.trim(), '', `${path}: inline script body`);
    }
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.ok(url.startsWith('/'), `${path}: non-local asset ${url}`);
    }
  }
});

test('pre-join page: named controls, Join reachable by keyboard, live region, no CSP violations', async () => {
  const roomId = await createRoom(server);
  const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'a11y', name: 'Ada' });
  const page = await newCallPage(browser, server.baseUrl + joinUrl);
  pages.push(page);
  const join = page.getByRole('button', { name: 'Join' });
  await join.waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.getByRole('status').count(), 1);
  assert.equal(await page.getByRole('status').getAttribute('aria-live'), 'polite');

  // Every visible button has a non-empty accessible name (its text).
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button')]
    .filter((b) => !b.hidden && b.offsetParent !== null && !(b.textContent ?? '').trim() && !b.getAttribute('aria-label'))
    .map((b) => b.outerHTML));
  assert.deepEqual(unnamed, []);

  // Tab reaches Join within a few presses, and the focus is visible (an outline is drawn).
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'Join'; i += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  }
  assert.equal(focused, 'Join');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');

  // Controls are large enough for people with tremor (WCAG 2.5.5 target size 44×44).
  const box = await join.boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `Join is ${box.width}×${box.height}`);

  const csp = page.consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
  assert.deepEqual(csp, []);
});

test('call controls have the exact accessible names and toggle states', async () => {
  const roomId = await createRoom(server);
  const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'a11y2', name: 'Ada' });
  const page = await newCallPage(browser, server.baseUrl + joinUrl);
  pages.push(page);
  await page.getByRole('button', { name: 'Join' }).click();
  for (const name of ['Mute', 'Camera off']) {
    const button = page.getByRole('button', { name, exact: true });
    await button.waitFor();
    assert.equal(await button.getAttribute('aria-pressed'), 'false', name);
  }
  await page.getByRole('button', { name: 'Leave', exact: true }).click();
  await page.getByRole('heading', { name: 'You left the call' }).waitFor();
  await page.getByRole('button', { name: 'Rejoin', exact: true }).click();
  await page.getByRole('button', { name: 'Leave', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => window.__medrtc.state), 'in_call');
  const csp = page.consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
  assert.deepEqual(csp, []);
});
