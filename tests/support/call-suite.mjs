// The setup every call test file repeats: one real medrtc server and one Chromium per
// file, the pages it opened closed at the end, and — when a test fails — the server log
// and each page's console printed as diagnostics.
import { after, before } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { assertNoClientErrors, assertNoForeignRequests, closePages, joinCall, waitForRemoteMedia } from './call-page.mjs';
import { createRoom, startServer } from './server.mjs';

/**
 * Registers the file's before/after hooks and returns the live suite:
 * `{ server, browser, pages }` (server and browser are set once `before` ran).
 * `serverOptions` go to startServer, `browserArgs` to Chromium (e.g. a self-signed node).
 */
export function useCallSuite({ serverOptions = { workers: 1 }, browserArgs = [] } = {}) {
  const suite = { server: null, browser: null, pages: [] };
  before(async () => {
    suite.server = await startServer(serverOptions);
    suite.browser = await launchChromium({ args: browserArgs });
  });
  after(async () => {
    await closePages(suite.pages);
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}

/** Runs `body`; if it throws, prints the server log and every page's console, then rethrows. */
export async function withDiagnostics(t, suite, body) {
  try {
    return await body();
  } catch (err) {
    t.diagnostic(`server log:\n${suite.server?.logs() ?? '(no server)'}`);
    for (const page of suite.pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    throw err;
  }
}

/**
 * A new room with Alice (host) and Bob (guest) in it, each decoding the other.
 * `bobJoins: false` opens Bob's page without clicking "Join" (and does not wait for media).
 */
export async function startTwoPartyCall(suite, {
  alice = { identity: 'alice', name: 'Alice', role: 'host' },
  bob = { identity: 'bob', name: 'Bob' },
  bobJoins = true,
} = {}) {
  const roomId = await createRoom(suite.server);
  const alicePage = await joinCall(suite.browser, suite.server, roomId, alice);
  suite.pages.push(alicePage);
  const bobPage = await joinCall(suite.browser, suite.server, roomId, { ...bob, join: bobJoins });
  suite.pages.push(bobPage);
  if (bobJoins) {
    await Promise.all([waitForRemoteMedia(alicePage), waitForRemoteMedia(bobPage)]);
  }
  return { roomId, alice: alicePage, bob: bobPage };
}

/** No page of the suite talked to another origin or logged a client error. */
export function assertPagesClean(suite, { clientErrors = true } = {}) {
  for (const page of suite.pages) {
    assertNoForeignRequests(page, suite.server.baseUrl);
    if (clientErrors) {
      assertNoClientErrors(page);
    }
  }
}
