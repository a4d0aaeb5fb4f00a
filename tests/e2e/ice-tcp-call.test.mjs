// Issue 11 item 2: a participant whose network drops all UDP still joins the call, over
// passive ICE-TCP (RFC 6544) on the media worker's port. Bob's Chromium runs in its own
// network namespace (tests/support/netns.mjs) whose nftables rules drop UDP both ways;
// Alice's runs in the root namespace with UDP. Passes only if both decode each other AND
// Bob's selected candidate pairs are TCP (getStats) while Alice's stay UDP (the TCP
// candidates rank below UDP, sdp/local_transport.cpp).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoClientErrors, serverPairs } from '../support/call-page.mjs';
import { DROP_UDP_NFT } from '../support/netns.mjs';
import { withNetnsCall } from '../support/netns-call.mjs';

const CALL = {
  // Bob's namespace drops UDP both ways.
  namespaces: { bob: { nft: DROP_UDP_NFT } },
  // Bob's namespace reaches the root namespace only at the veth's root-side address:
  // HTTP listens there, and --media-ip makes it the one address the server announces,
  // so the candidates in the SDP are exactly the ones this test is about (by default
  // the server would announce every interface address, in an order this test does not
  // control, and Bob's Chromium would spend its time on pairs that go nowhere).
  serverOn: 'netns',
  server: { workers: 1 },
  participants: [
    { identity: 'dr-weber', name: 'Dr Weber', role: 'host' },
    { identity: 'patient-1', name: 'Patient One', role: 'guest', netns: 'bob' },
  ],
};

test('a participant without UDP connects over ICE-TCP and both decode', { timeout: 120_000 }, async (t) => {
  await withNetnsCall(t, CALL, async ({ pages: [alice, bob], media: [aliceStats, bobStats], server, netns: ns }) => {
    assert.match(server.logs(), /media_worker_listening worker=\d+ udp=\S+ tcp=true/, 'the media worker did not open its ICE-TCP listener');
    t.diagnostic(`alice: ${JSON.stringify(aliceStats)}`);
    t.diagnostic(`bob: ${JSON.stringify(bobStats)}`);

    const bobPairs = await serverPairs(bob);
    const alicePairs = await serverPairs(alice);
    t.diagnostic(`bob pairs: ${JSON.stringify(bobPairs)}`);
    t.diagnostic(`alice pairs: ${JSON.stringify(alicePairs)}`);
    for (const name of ['publisher', 'subscriber']) {
      const p = bobPairs[name];
      assert.ok(p, `Bob has no ${name} connection`);
      assert.equal(p.localProtocol, 'tcp', `Bob's ${name} selected a ${p.localProtocol} pair`);
      assert.equal(p.remoteProtocol, 'tcp');
      assert.equal(p.remoteTcpType, 'passive');
      assert.equal(p.remoteAddress.split(':')[0], ns.rootIp);
      assert.ok(p.bytesReceived > 0 && p.bytesSent > 0, `Bob's ${name} TCP pair carried no bytes`);
      // The namespace really blocks UDP: no UDP pair of Bob's ever worked.
      assert.equal(p.udpPairsSucceeded, 0, `Bob's ${name} had a working UDP pair`);
      const a = alicePairs[name];
      assert.ok(a, `Alice has no ${name} connection`);
      assert.equal(a.localProtocol, 'udp', `Alice's ${name} did not keep UDP, which ranks above TCP`);
    }
    for (const page of [alice, bob]) {
      assertNoClientErrors(page);
    }
  });
});
