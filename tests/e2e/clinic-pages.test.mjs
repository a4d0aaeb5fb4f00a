// The clinic pages are served at their clean paths with the same CSP rules as the call
// page (no inline script or style, local assets only) and load without CSP violations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { closePages } from '../support/call-page.mjs';
import { startServer } from '../support/server.mjs';

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

const PATHS = ['/login', '/dashboard', '/join', '/consult/ap_unknown'];

test('clinic pages: served at clean paths, lang, no inline script/style, local assets', async () => {
  for (const path of PATHS) {
    const res = await fetch(server.baseUrl + path);
    assert.equal(res.status, 200, `GET ${path}`);
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

test('login and code entry: labelled fields, big buttons, no CSP violations', async () => {
  const login = await newCallPage(browser, `${server.baseUrl}/login`);
  pages.push(login);
  await login.getByLabel('Email').waitFor();
  await login.getByLabel('Password').waitFor();
  assert.equal(await login.getByLabel('Authentication code').isVisible(), false);
  const box = await login.getByRole('button', { name: 'Sign in' }).boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `Sign in is ${box.width}×${box.height}`);
  await login.getByLabel('Email').fill('nobody@example.org');
  await login.getByLabel('Password').fill('wrong');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await login.getByRole('alert').getByText('The email or password is not right.', { exact: false }).waitFor();

  const join = await newCallPage(browser, `${server.baseUrl}/join`);
  pages.push(join);
  await join.getByLabel('Code', { exact: true }).fill('000000000');
  await join.getByRole('button', { name: 'Continue' }).click();
  await join.getByLabel('Your name').fill('Nobody');
  await join.getByRole('button', { name: 'Join', exact: true }).click();
  await join.getByRole('alert').getByText('We could not find this link or code.', { exact: false }).waitFor({ timeout: 15_000 });
  for (const page of pages) {
    const csp = page.consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
    assert.deepEqual(csp, []);
  }
});
