// Issue 11 item 2: a participant on a network that lets out only TCP to one port (a
// hospital that allows HTTPS and nothing else) still joins, relayed by coturn over TLS
// (`turns:`). Bob's Chromium runs in a network namespace (tests/support/netns.mjs) whose
// nftables rules drop everything but TCP to medrtc's HTTP port and coturn's TLS port: no
// UDP, no ICE-TCP to the media port, no TURN over UDP or plain TCP. Passes only if both
// decode each other AND Bob's selected pairs use a relay candidate with relayProtocol
// "tls", and joined.ice_servers carried the UDP, TCP and TLS URLs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { startCoturn } from '../support/coturn.mjs';
import { assertNoClientErrors, closePages, joinCall, waitForRemoteMedia, serverPairs } from '../support/call-page.mjs';
import { createNamespace, onlyTcpTo } from '../support/netns.mjs';
import { createRoom, startServer } from '../support/server.mjs';

let ns;
let turn;
let server;
let aliceBrowser;
let bobBrowser;
const pages = [];

before(async () => {
  ns = await createNamespace();
  // coturn listens, and relays from, the veth's root-side address: Bob's namespace reaches
  // only that address, and relaying from the address the media server announces makes the
  // server's answers come from the address coturn permitted (scripts/lib/coturn.sh).
  turn = await startCoturn({ transports: ['udp', 'tcp', 'tls'], listenIp: ns.rootIp, relayIp: ns.rootIp });
  server = await startServer({
    workers: 1,
    listen: `${ns.rootIp}:0`,
    // The one address announced is one Alice (root namespace) reaches directly and coturn
    // may relay to (tests/e2e/ice-tcp-call.test.mjs says more); plain HTTP off loopback
    // needs saying so.
    args: ['--media-ip', ns.rootIp, '--insecure-http', ...turn.serveArgs],
  });
  await ns.applyNft(onlyTcpTo(ns.rootIp, [new URL(server.baseUrl).port, turn.tlsPort]));
  // getUserMedia needs a secure context, which plain http is only on loopback; this flag
  // marks the test server's origin secure and changes nothing in ICE.
  const secureOrigin = `--unsafely-treat-insecure-origin-as-secure=${server.baseUrl}`;
  aliceBrowser = await launchChromium({ args: [secureOrigin] });
  // coturn's certificate is a self-signed development one (scripts/lib/coturn.sh).
  bobBrowser = await ns.launchChromium({ args: [secureOrigin, '--ignore-certificate-errors'] });
});

after(async () => {
  await closePages(pages);
  await aliceBrowser?.close();
  await bobBrowser?.close();
  await server?.stop();
  await turn?.stop();
  await ns?.destroy();
});


test('a participant allowed only TCP to the TLS port connects relayed over TURN/TLS', { timeout: 150_000 }, async (t) => {
  try {
    const roomId = await createRoom(server);
    const alice = await joinCall(aliceBrowser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
    pages.push(alice);
    const bob = await joinCall(bobBrowser, server, roomId, { identity: 'patient-1', name: 'Patient One', role: 'guest' });
    pages.push(bob);

    const [aliceStats, bobStats] = await Promise.all([
      waitForRemoteMedia(alice, { timeoutMs: 60_000 }),
      waitForRemoteMedia(bob, { timeoutMs: 60_000 }),
    ]);
    t.diagnostic(`alice: ${JSON.stringify(aliceStats)}`);
    t.diagnostic(`bob: ${JSON.stringify(bobStats)}`);
    const bobPairs = await serverPairs(bob);
    t.diagnostic(`bob pairs: ${JSON.stringify(bobPairs)}`);
    for (const name of ['publisher', 'subscriber']) {
      const p = bobPairs[name];
      assert.ok(p, `Bob has no ${name} connection`);
      assert.equal(p.localType, 'relay', `Bob's ${name} selected a ${p.localType} candidate`);
      assert.equal(p.relayProtocol, 'tls', `Bob's ${name} relayed over ${p.relayProtocol}`);
      assert.ok(p.bytesReceived > 0 && p.bytesSent > 0, `Bob's ${name} pair carried no bytes`);
      assert.ok(p.iceServerUrls.some((u) => /^turn:.*transport=udp$/.test(u)), 'no TURN/UDP URL in joined.ice_servers');
      assert.ok(p.iceServerUrls.some((u) => /^turn:.*transport=tcp$/.test(u)), 'no TURN/TCP URL in joined.ice_servers');
      assert.ok(p.iceServerUrls.some((u) => /^turns:/.test(u)), 'no TURN/TLS URL in joined.ice_servers');
    }
    for (const page of [alice, bob]) {
      assertNoClientErrors(page);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    t.diagnostic(`coturn log (tail):\n${await turn?.logTail()}`);
    throw err;
  }
});
