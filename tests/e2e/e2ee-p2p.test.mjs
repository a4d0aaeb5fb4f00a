// The security code of a peer-to-peer 1:1 under KBV (docs/e2ee.md "Security code",
// docs/p2p.md): such a call has no SFrame, DTLS-SRTP browser to browser protects it, so the
// code covers both DTLS fingerprints (from the descriptions until DTLS is up, then from the
// certificates getStats reports). Two Chromium pages call each other directly: the panel is
// there, and both show the same code once the direct connection is up. A server that
// rewrites the fingerprint in the SDP it relays (a Playwright WebSocket route on Bob's
// socket stands in for it, and keeps the broken direct path from falling back to the
// SFU) does not get past the code: Bob's page reads "Not secure" and Alice's tile on it
// says the connection does not end at her browser. Nor does one that keeps Alice's genuine
// fingerprint at session level (what a page reading the first a=fingerprint line would
// compare) and names its own on every m-line (what the browser checks): Chromium keeps only
// the media-level ones in the description it holds, the page reads "Not secure" (a browser
// that kept both would read it from the two certificates named, docs/e2ee.md). Once the
// direct connection is up, the code is over the certificates getStats reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { clickJoin, joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { withDiagnostics, useCallSuite } from '../support/call-suite.mjs';
import { p2pCertificates, securityCode, waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, createToken, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate

const suite = useCallSuite({ serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] }, browserArgs: ['--ignore-certificate-errors'] });

/** The fingerprints of a page's direct connection: [local, remote] ('' while not there). */
async function p2pFingerprints(page) {
  return page.evaluate(() => {
    const fp = (sdp) => /^a=fingerprint:(\S+ \S+)/m.exec(sdp ?? '')?.[1]?.toUpperCase() ?? '';
    const pc = window.__medrtc.p2p;
    return [fp(pc?.localDescription?.sdp), fp(pc?.remoteDescription?.sdp)];
  });
}

async function directlyConnected(page) {
  await waitFor(() => page.evaluate(() => window.__medrtc.mediaMode === 'p2p' && window.__medrtc.p2p?.connectionState === 'connected'), {
    timeoutMs: 30_000,
    what: `${page.displayName} connected browser to browser`,
  });
}

test('a P2P 1:1 under KBV shows the security code, the same on both screens, over both DTLS fingerprints', { timeout: 150_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser } = suite;
  const roomId = await createRoom(server);
  const alice = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(alice);
  const bob = await joinCall(browser, server, roomId, { identity: 'patient-1', name: 'Patient One' });
  suite.pages.push(bob);
  await Promise.all([directlyConnected(alice), directlyConnected(bob)]);
  await waitForTileFrames(alice, await participantId(bob));
  await waitForTileFrames(bob, await participantId(alice));

  const [[aLocal, aRemote], [bLocal, bRemote]] = [await p2pFingerprints(alice), await p2pFingerprints(bob)];
  assert.ok(aLocal && bLocal, 'both pages have a fingerprint of their own');
  assert.equal(aRemote, bLocal, "Alice's connection ends at Bob's certificate");
  assert.equal(bRemote, aLocal);
  const code = await waitForSameCode([alice, bob]);
  t.diagnostic(`security code ${code}; fingerprints ${aLocal} / ${bLocal}`);
  // What goes into the code is what DTLS uses: the certificates in getStats.
  const [aUsed, bUsed] = [(await p2pCertificates(alice)).used, (await p2pCertificates(bob)).used];
  assert.ok(aUsed.remote, 'Chromium reports the certificate of the peer');
  assert.equal(aUsed.remote, bUsed.local);
  assert.equal(bUsed.remote, aUsed.local);
  assert.equal(aUsed.local.toUpperCase(), aLocal, 'the certificate Alice presents is the one her description names');
  // Still the same a moment later: the round over the fingerprints is the last one.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(await securityCode(alice), code);
  assert.equal(await securityCode(bob), code);
  await alice.getByRole('region', { name: 'Security code' }).getByText('Read it out: if it matches on every screen, nobody is listening in.').waitFor();
  assert.equal(await alice.evaluate(() => window.__medrtc.mediaMode), 'p2p', 'still browser to browser');
}));

/**
 * A page whose socket goes through a route playing a malicious server: it never passes on
 * `p2p_failed` (so the call stays on the direct connection it broke, as a server in the
 * middle of it would want) and hands every message to the page through `rewrite`.
 */
async function joinThroughMaliciousServer(roomId, who, rewrite = (m) => m) {
  const { server, browser } = suite;
  const { join_url: joinUrl } = await createToken(server, roomId, who);
  const page = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  page.displayName = who.name;
  suite.pages.push(page);
  await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((m) => {
      if (!(typeof m === 'string' && m.includes('"p2p_failed"'))) {
        upstream.send(m);
      }
    });
    upstream.onMessage((m) => ws.send(typeof m === 'string' ? rewrite(m) : m));
  });
  await page.goto(server.baseUrl + joinUrl);
  await clickJoin(page);
  return page;
}

test('a fingerprint the server rewrites in the relayed SDP makes the page read "Not secure"', { timeout: 150_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const forged = Array.from({ length: 32 }, () => 'AB').join(':');
  let rewritten = 0;
  const alice = await joinThroughMaliciousServer(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  // Every SDP that reaches Bob from Alice names a certificate of the server's.
  const bob = await joinThroughMaliciousServer(roomId, { identity: 'patient-1', name: 'Patient One' }, (m) => {
    if (!m.includes('"p2p_signal"') || !m.includes('a=fingerprint:')) {
      return m;
    }
    const msg = JSON.parse(m);
    msg.data.sdp.sdp = msg.data.sdp.sdp.replace(/a=fingerprint:(\S+) \S+/g, `a=fingerprint:$1 ${forged}`);
    rewritten += 1;
    return JSON.stringify(msg);
  });

  await waitFor(async () => (await p2pFingerprints(bob))[1] === `SHA-256 ${forged}`, { what: 'Bob to hold the rewritten description' });
  assert.ok(rewritten > 0);
  await waitFor(async () => (await securityCode(bob)) === 'Not secure', { timeoutMs: 15_000, what: 'Bob to read "Not secure"' });
  const aliceTile = bob.locator(`figure.tile[data-participant-id="${await participantId(alice)}"]`);
  await aliceTile.getByText('not secure: the connection does not end at this person’s browser').waitFor({ timeout: 5_000 });
  assert.notEqual(await securityCode(alice), await securityCode(bob), 'the two screens differ');
  assert.equal(await bob.evaluate(() => window.__medrtc.mediaMode), 'p2p', 'the call was left on the direct path');
}));

test('a relayed description with the genuine fingerprint at session level and a forged one on every m-line never shows matching codes', { timeout: 150_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const forged = Array.from({ length: 32 }, () => 'CD').join(':');
  const relayed = [];
  const alice = await joinThroughMaliciousServer(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  // What reaches Bob from Alice keeps her genuine fingerprint where a first-line regex finds
  // it (session level) and names the server's on every m-line, which the browser checks.
  const bob = await joinThroughMaliciousServer(roomId, { identity: 'patient-1', name: 'Patient One' }, (m) => {
    if (!m.includes('"p2p_signal"') || !m.includes('a=fingerprint:')) {
      return m;
    }
    const msg = JSON.parse(m);
    const sdp = msg.data.sdp.sdp;
    const [, algorithm, genuine] = /^a=fingerprint:(\S+) (\S+)\r?$/m.exec(sdp);
    const lines = sdp.split('\r\n').filter((l) => !l.startsWith('a=fingerprint:'));
    const out = [];
    for (const line of lines) {
      if (line.startsWith('m=') && !out.some((l) => l.startsWith('m='))) {
        out.push(`a=fingerprint:${algorithm} ${genuine}`);
      }
      out.push(line);
      if (line.startsWith('m=')) {
        out.push(`a=fingerprint:${algorithm} ${forged}`);
      }
    }
    msg.data.sdp.sdp = out.join('\r\n');
    relayed.push(msg.data.sdp.sdp);
    return JSON.stringify(msg);
  });

  await waitFor(async () => relayed.length > 0 && (await p2pFingerprints(bob))[1] !== '', { what: 'Bob to hold the rewritten description' });
  // The hole this closes: the first line of what the server relayed names Alice's real
  // certificate, what a page that reads the first a=fingerprint would have committed to.
  const aLocal = (await p2pFingerprints(alice))[0];
  assert.equal(/^a=fingerprint:(\S+ \S+)/m.exec(relayed[0])?.[1]?.toUpperCase(), aLocal, "the relayed description's first fingerprint is Alice's genuine one");
  assert.equal(relayed[0].match(/^a=fingerprint:/gm).length, relayed[0].match(/^m=/gm).length + 1, 'one at session level, one per m-line');
  t.diagnostic(`Bob's browser holds ${JSON.stringify((await p2pCertificates(bob)).described.remote)}`);
  await waitFor(async () => (await securityCode(bob)) === 'Not secure', { timeoutMs: 15_000, what: 'Bob to read "Not secure"' });
  const aliceTile = bob.locator(`figure.tile[data-participant-id="${await participantId(alice)}"]`);
  await aliceTile.getByText('not secure: the connection does not end at this person’s browser').waitFor({ timeout: 5_000 });
  // Never one code on both screens, not even a while later.
  for (let i = 0; i < 6; i += 1) {
    const [a, b] = [await securityCode(alice), await securityCode(bob)];
    t.diagnostic(`alice ${a}; bob ${b}`);
    assert.ok(!(/^\d{3} \d{3}$/.test(b ?? '') && a === b), 'the two screens never show the same code');
    assert.equal(b, 'Not secure');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}));
