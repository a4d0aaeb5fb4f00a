// Issue 11 item 4: Firefox through TURN. A Chromium and a Firefox page, both forced to
// iceTransportPolicy "relay" (window.__medrtcForceRelay), get TURN REST credentials in
// `joined.ice_servers` (a `turn:` URL on this machine's interface address) and reach the
// SFU only through coturn (scripts/lib/coturn.sh):
// both decode and hear each other, and every selected pair's local candidate is a relay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { interfaceIpv4, startCoturn } from '../support/coturn.mjs';
import { joinCallFirefox, launchFirefox } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, closePages, joinCallRelayOnly, selectedPair, waitForRemoteMedia,
} from '../support/call-page.mjs';
import { createRoom, startServer } from '../support/server.mjs';

let turn;
let server;
let browser;
let firefox;
const pages = [];

before(async () => {
  // The TURN URL names this machine's interface address, as a deployed one names a public
  // address: Firefox reaches no TURN server on 127.0.0.1.
  assert.ok(interfaceIpv4(), 'this machine has an IPv4 interface address');
  turn = await startCoturn({ host: interfaceIpv4() });
  server = await startServer({ workers: 1, args: turn.serveArgs });
  browser = await launchChromium();
  firefox = await launchFirefox();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await firefox?.close();
  await server?.stop();
  await turn?.stop();
});

test('Firefox and Chromium, both relay only, see and hear each other through coturn', { timeout: 120_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const doctor = await joinCallRelayOnly(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(doctor);
    const patient = await joinCallFirefox(firefox, server, roomId, { identity: 'patient-1', name: 'Patient One', relayOnly: true });
    pages.push(patient);
    await Promise.all([waitForRemoteMedia(doctor), waitForRemoteMedia(patient)]);

    for (const page of [doctor, patient]) {
      for (const which of ['publisher', 'subscriber']) {
        const policy = await page.evaluate((name) => window.__medrtc[name].getConfiguration().iceTransportPolicy, which);
        const pair = await selectedPair(page, which);
        t.diagnostic(`${page.displayName} ${which}: ${policy} ${JSON.stringify(pair)}`);
        assert.equal(policy, 'relay', `${page.displayName} ${which} was not forced to relay`);
        assert.equal(pair?.local.type, 'relay', `${page.displayName} ${which} selected a ${pair?.local.type} candidate`);
      }
      assertNoForeignRequests(page, server.baseUrl);
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    t.diagnostic(`coturn log (tail):\n${await turn?.logTail()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});
