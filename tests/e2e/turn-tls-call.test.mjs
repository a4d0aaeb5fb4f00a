// Issue 11 item 2: a participant on a network that lets out only TCP to one port (a
// hospital that allows HTTPS and nothing else) still joins, relayed by coturn over TLS
// (`turns:`). Bob's Chromium runs in a network namespace (tests/support/netns.mjs) whose
// nftables rules drop everything but TCP to medrtc's HTTP port and coturn's TLS port: no
// UDP, no ICE-TCP to the media port, no TURN over UDP or plain TCP. Passes only if both
// decode each other AND Bob's selected pairs use a relay candidate with relayProtocol
// "tls", and joined.ice_servers carried the UDP, TCP and TLS URLs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoClientErrors, serverPairs } from '../support/call-page.mjs';
import { onlyTcpTo } from '../support/netns.mjs';
import { withNetnsCall } from '../support/netns-call.mjs';

const CALL = {
  // Once the ports are known: Bob may reach only medrtc's HTTP port and coturn's TLS port.
  namespaces: { bob: { nft: ({ server, turn, netns }) => onlyTcpTo(netns.rootIp, [new URL(server.baseUrl).port, turn.tlsPort]) } },
  // The one address announced (and coturn's) is one Alice (root namespace) reaches directly
  // and coturn may relay to (tests/e2e/ice-tcp-call.test.mjs says more).
  serverOn: 'netns',
  turn: ['udp', 'tcp', 'tls'],
  server: { workers: 1 },
  // coturn's certificate is a self-signed development one (scripts/lib/coturn.sh).
  netnsBrowserArgs: ['--ignore-certificate-errors'],
  mediaTimeoutMs: 60_000,
  participants: [
    { identity: 'dr-weber', name: 'Dr Weber', role: 'host' },
    { identity: 'patient-1', name: 'Patient One', role: 'guest', netns: 'bob' },
  ],
};

test('a participant allowed only TCP to the TLS port connects relayed over TURN/TLS', { timeout: 150_000 }, async (t) => {
  await withNetnsCall(t, CALL, async ({ pages: [alice, bob], media: [aliceStats, bobStats] }) => {
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
  });
});
