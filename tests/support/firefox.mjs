// Drives Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (puppeteer-core
// never downloads a browser; the executable is given). Pages are wrapped so that the
// helpers of call-page.mjs and clinic.mjs, written against Playwright's Page, work on a
// Firefox page too: `evaluate`, `url`, `context().close()`, `getByRole`, `getByText`,
// `getByLabel`, `locator`, and the `requests` / `consoleMessages` records.
import puppeteer, { Puppeteer } from 'puppeteer-core';
import { createToken } from './server.mjs';
import { clickJoin } from './call-page.mjs';

// Nothing here (nor in puppeteer's own automation preferences) changes ICE: like a
// person's Firefox it pairs no loopback candidate and hides its host addresses behind mDNS
// names, so the calls prove the server's default candidates (its interface addresses,
// net/announced_addresses.hpp) work.
export const FIREFOX_PREFS = {
  // These two replace the user's click on the permission prompt and a real camera and
  // microphone (Firefox's fake devices: a moving test pattern and a tone), nothing else.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // This machine has no sound card, and without one Firefox never starts an AudioContext
  // (it stays 'suspended', so the device check's microphone meter never moves). The mock
  // audio backend stands in for the speakers every person's computer has; nothing else.
  'media.cubeb.force_mock_context': true,
};

/**
 * Starts a headless Firefox ESR. `acceptInsecureCerts` for a node with a self-signed
 * certificate (as Chromium's --ignore-certificate-errors in the TLS tests); `prefs` for a
 * test that needs more and says why.
 */
export async function launchFirefox({ acceptInsecureCerts = false, prefs = {} } = {}) {
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: process.env.MEDRTC_FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    acceptInsecureCerts,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs },
  });
}

// Text matching with Playwright's getByText semantics: whitespace-normalised text that
// contains the string (or matches the regular expression), innermost element only.
// Runs in the page; registered once per process.
let textHandlerRegistered = false;
function registerTextHandler() {
  if (textHandlerRegistered) {
    return;
  }
  textHandlerRegistered = true;
  Puppeteer.registerCustomQueryHandler('medrtcText', {
    queryAll: (root, selector) => {
      const spec = JSON.parse(selector);
      const re = spec.source !== undefined ? new RegExp(spec.source, spec.flags) : null;
      const norm = (s) => s.replace(/\s+/g, ' ').trim();
      const matches = (el) => {
        const text = norm(el.innerText ?? el.textContent ?? '');
        if (re) {
          return re.test(text);
        }
        return spec.exact ? text === spec.text : text.toLowerCase().includes(spec.text.toLowerCase());
      };
      const out = [];
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE' || !matches(el)) {
          continue;
        }
        if (![...el.children].some(matches)) {
          out.push(el);
        }
      }
      return out;
    },
  });
}

function quoted(value) {
  return JSON.stringify(String(value));
}

/** A lazy query like Playwright's Locator: puppeteer selector parts, joined as descendants. */
class FirefoxLocator {
  constructor(page, parts) {
    this.page = page;
    this.parts = parts;
  }

  get selector() {
    return this.parts.join(' ');
  }

  /** Accessible role and name from Firefox's accessibility tree (the name matches exactly). */
  getByRole(role, { name } = {}) {
    const nameAttr = name === undefined ? '' : `[name=${quoted(name)}]`;
    return new FirefoxLocator(this.page, [...this.parts, `::-p-aria(${nameAttr}[role=${quoted(role)}])`]);
  }

  getByText(text, { exact = false } = {}) {
    registerTextHandler();
    const spec = text instanceof RegExp ? { source: text.source, flags: text.flags } : { text, exact };
    return new FirefoxLocator(this.page, [...this.parts, `::-p-medrtcText(${quoted(JSON.stringify(spec))})`]);
  }

  /** A form field by its label: a textbox whose accessible name is `label`. */
  getByLabel(label) {
    return this.getByRole('textbox', { name: label });
  }

  locator(css) {
    return new FirefoxLocator(this.page, [...this.parts, css]);
  }

  async click({ timeout = 30_000 } = {}) {
    await this.page.raw.locator(this.selector).setTimeout(timeout).click();
  }

  async fill(value, { timeout = 30_000 } = {}) {
    await this.page.raw.locator(this.selector).setTimeout(timeout).fill(value);
  }

  /**
   * Waits until an element matches and is visible; `state: 'hidden'` or `'detached'`:
   * until none is visible (puppeteer does not tell a hidden element from a removed one).
   */
  async waitFor({ state = 'visible', timeout = 30_000 } = {}) {
    const options = state === 'visible' ? { visible: true, timeout } : { hidden: true, timeout };
    await this.page.raw.waitForSelector(this.selector, options);
  }

  async handle(timeout = 30_000) {
    return this.page.raw.waitForSelector(this.selector, { timeout });
  }

  async getAttribute(name) {
    return (await this.handle()).evaluate((el, n) => el.getAttribute(n), name);
  }

  async innerText() {
    return (await this.handle()).evaluate((el) => el.innerText);
  }

  async inputValue() {
    return (await this.handle()).evaluate((el) => el.value);
  }

  async count() {
    return (await this.page.raw.$$(this.selector)).length;
  }
}

/** A puppeteer page with the part of Playwright's Page that the call helpers use. */
class FirefoxPage {
  constructor(context, raw) {
    this.browserContext = context;
    this.raw = raw;
    this.requests = [];
    this.consoleMessages = [];
    raw.on('request', (req) => this.requests.push(req.url()));
    raw.on('console', (msg) => this.consoleMessages.push(`${msg.type()}: ${msg.text()}`));
    raw.on('pageerror', (err) => this.consoleMessages.push(`pageerror: ${err.message}`));
  }

  evaluate(fn, arg) {
    return this.raw.evaluate(fn, arg);
  }

  url() {
    return this.raw.url();
  }

  context() {
    return { close: () => this.browserContext.close() };
  }

  async goto(url) {
    await this.raw.goto(url);
  }

  async addInitScript(fn) {
    await this.raw.evaluateOnNewDocument(fn);
  }

  getByRole(role, options) {
    return new FirefoxLocator(this, []).getByRole(role, options);
  }

  getByText(text, options) {
    return new FirefoxLocator(this, []).getByText(text, options);
  }

  getByLabel(label) {
    return new FirefoxLocator(this, []).getByLabel(label);
  }

  locator(css) {
    return new FirefoxLocator(this, [css]);
  }
}

/**
 * Opens `url` in a fresh browser context (own cookies and storage, like a separate person).
 * Camera and microphone need no grant: FIREFOX_PREFS stands in for the permission click.
 * `recordWebSocket`: every WebSocket message the page receives is kept in the page
 * (`await wsFrames(page)`); BiDi has no WebSocket frame events, so this wraps the page's
 * WebSocket constructor to add a listener, and changes nothing else.
 */
export async function newFirefoxCallPage(browser, url, { goto = true, recordWebSocket = false } = {}) {
  const context = await browser.createBrowserContext();
  // Its own window, as each Playwright context has: Firefox paints no video in a
  // background tab and throttles its timers, and a person in a call has the call in front.
  const page = new FirefoxPage(context, await context.newPage({ type: 'window' }));
  if (recordWebSocket) {
    await page.addInitScript(() => {
      window.__testWsFrames = [];
      window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args) {
          const ws = Reflect.construct(target, args);
          ws.addEventListener('message', (e) => window.__testWsFrames.push(typeof e.data === 'string' ? e.data : '[binary]'));
          return ws;
        },
      });
    });
  }
  if (goto) {
    await page.goto(url);
  }
  return page;
}

/** The WebSocket messages a page opened with `recordWebSocket` received so far. */
export async function wsFrames(page) {
  return page.evaluate(() => window.__testWsFrames ?? []);
}

/**
 * Like call-page.mjs joinCall, in Firefox: a new token, its link in a fresh context, "Join".
 * `relayOnly`: the page may only use TURN relay candidates (window.__medrtcForceRelay, as
 * call-page.mjs joinCallRelayOnly).
 */
export async function joinCallFirefox(browser, server, roomId, { identity, name, role = 'guest', join = true, relayOnly = false } = {}) {
  const { join_url: joinUrl } = await createToken(server, roomId, { identity, name, role });
  const page = await newFirefoxCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  page.displayName = name;
  if (relayOnly) {
    await page.addInitScript(() => {
      window.__medrtcForceRelay = true;
    });
  }
  await page.goto(server.baseUrl + joinUrl);
  if (join) {
    await clickJoin(page);
  }
  return page;
}

/**
 * clinic.mjs openInvitation in Firefox: the invitation link in a fresh context, the
 * page's received WebSocket messages recorded (`await wsFrames(page)`), the name typed.
 */
export async function openInvitationFirefox(browser, link, name) {
  const page = await newFirefoxCallPage(browser, link, { recordWebSocket: true });
  page.displayName = name;
  await page.getByLabel('Your name').fill(name);
  return page;
}
