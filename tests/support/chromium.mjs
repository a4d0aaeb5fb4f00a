// Drives Debian's Chromium through playwright-core (it never downloads a browser), with
// fake camera and microphone so calls run headless.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
// Nothing here changes how Chromium picks ICE candidates: like a person's browser it pairs
// no loopback candidate, so the calls in these tests prove that the server's default
// candidates (every interface address, net/announced_addresses.hpp) work. A test that
// needs loopback pairs adds this itself and says why.
export const ALLOW_LOOPBACK_ARG = '--allow-loopback-in-peer-connection';

export async function launchChromium({ args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.MEDRTC_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...args],
  });
}

/**
 * Opens `url` in a fresh browser context (own cookies/storage, like a separate person)
 * with camera and microphone granted for the URL's origin. Every request the page makes
 * is recorded in `page.requests` (URLs) so tests can assert no third-party origin is hit.
 * @param {{permissions?: string[], goto?: boolean}} [options]
 */
export async function newCallPage(browser, url, { permissions = ['camera', 'microphone'], goto = true } = {}) {
  const origin = new URL(url).origin;
  const context = await browser.newContext();
  if (permissions.length > 0) {
    await context.grantPermissions(permissions, { origin });
  }
  const page = await context.newPage();
  page.requests = [];
  page.consoleMessages = [];
  page.on('request', (req) => page.requests.push(req.url()));
  page.on('console', (msg) => page.consoleMessages.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => page.consoleMessages.push(`pageerror: ${err.message}`));
  if (goto) {
    await page.goto(url);
  }
  return page;
}

/** URLs from `page.requests` whose origin differs from `origin` (data:/blob: ignored). */
export function foreignRequests(page, origin) {
  return page.requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) {
      return false;
    }
    try {
      const parsed = new URL(u);
      const sameHttp = parsed.origin === origin;
      const sameWs = parsed.protocol.startsWith('ws') && parsed.host === new URL(origin).host;
      return !(sameHttp || sameWs);
    } catch {
      return true;
    }
  });
}
