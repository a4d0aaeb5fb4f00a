// Issue 11 item 1: the first five minutes. A stock Chromium — no ICE-related flags, only
// the fake camera/microphone and the permission prompt a person answers — opens the two
// links of the development page from `/` against `medrtc serve` started as ./scripts/run
// starts it (--dev, no --media-ip), and both decode each other. Chromium pairs no loopback
// candidates without --allow-loopback-in-peer-connection, so this holds only because the
// server announces its interface addresses (net/announced_addresses.hpp).
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, test } from 'node:test';
import { ALLOW_LOOPBACK_ARG, CHROMIUM_ARGS, launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoClientErrors, clickJoin, closePages, waitForRemoteMedia } from '../support/call-page.mjs';
import { startServer, waitFor } from '../support/server.mjs';

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ dev: true });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

/** Remote candidate address of the selected pair of the page's server connections. */
async function selectedRemoteAddresses(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const name of ['publisher', 'subscriber']) {
      const pc = window.__medrtc[name];
      if (!pc) {
        continue;
      }
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = report.get(s.selectedCandidatePairId);
          const remote = pair && report.get(pair.remoteCandidateId);
          out.push(remote?.address ?? remote?.ip ?? '?');
        }
      });
    }
    return out;
  });
}

/** Opens `/` of `node`, creates a test room and joins both links; returns both pages decoding. */
async function callThroughDevPage(node) {
  const home = await newCallPage(browser, `${node.baseUrl}/`, { permissions: [] });
  pages.push(home);
  await home.getByRole('button', { name: 'Create test room' }).click();
  const aliceUrl = await home.getByLabel('Join link for Alice').inputValue();
  const bobUrl = await home.getByLabel('Join link for Bob').inputValue();

  const alice = await newCallPage(browser, aliceUrl);
  alice.displayName = 'Alice';
  const bob = await newCallPage(browser, bobUrl);
  bob.displayName = 'Bob';
  pages.push(alice, bob);
  await clickJoin(alice);
  await clickJoin(bob);
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  return [alice, bob];
}

/** A global (not link-local, not loopback) IPv6 address of this machine, or undefined. */
function globalIpv6() {
  return Object.values(networkInterfaces()).flat()
    .find((a) => a.family === 'IPv6' && !a.internal && !a.address.toLowerCase().startsWith('fe80'))?.address;
}

test('a stock Chromium holds a call between the two dev-page links', { timeout: 90_000 }, async (t) => {
  assert.ok(!CHROMIUM_ARGS.includes(ALLOW_LOOPBACK_ARG), 'the browser must run without the loopback flag');
  try {
    const [alice, bob] = await callThroughDevPage(server);

    for (const page of [alice, bob]) {
      // The media went to an interface address, not to loopback.
      const remotes = await selectedRemoteAddresses(page);
      assert.equal(remotes.length, 2, `${page.displayName}: a selected pair per connection`);
      for (const address of remotes) {
        assert.ok(!/^127\.|^::1$/.test(address), `${page.displayName} paired with ${address}`);
      }
      // The page says the call is on: no "Connecting…", no notice, no tile left waiting.
      await page.getByRole('status').filter({ hasText: 'You are in the consultation.' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
      await waitFor(async () => (await page.locator('figure.tile.remote .badge.connecting:visible').count()) === 0,
        { timeoutMs: 10_000, what: `${page.displayName}'s remote tile to stop saying Connecting…` });
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});

test('with --media-listen :: a stock Chromium reaches the IPv6 address', { timeout: 90_000, skip: globalIpv6() ? false : 'no global IPv6 address here' }, async (t) => {
  const v6 = globalIpv6();
  const node = await startServer({ dev: true, args: ['--media-listen', '::', '--media-ip', v6] });
  try {
    for (const page of await callThroughDevPage(node)) {
      assert.deepEqual(await selectedRemoteAddresses(page), [v6, v6], `${page.displayName}'s pairs`);
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${node.logs()}`);
    throw err;
  } finally {
    await closePages(pages.splice(0));
    await node.stop();
  }
});
