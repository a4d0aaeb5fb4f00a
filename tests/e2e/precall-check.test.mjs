// Issue 11 item 5: the patient's pre-call check connects to the media server over the
// real path (ICE and DTLS to a probe transport: UDP, then ICE-TCP, then TURN) and says in
// plain words whether video calls get through. The patient's Chromium runs in a network
// namespace (tests/support/netns.mjs) whose nftables rules change between the four
// networks below; each time "Check again" runs the check anew:
//   open network            → works, over UDP
//   UDP dropped             → works, over ICE-TCP (UDP blocked)
//   only TCP to HTTP + TLS  → works, relayed by coturn over TLS (UDP and TCP blocked)
//   only TCP to HTTP        → "Your network blocks video calls…"
// Each result is read from the live region and the per-path lines, which carry the
// selected pair's protocol from getStats().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPractitioner, freshTotp, openInvitation } from '../support/clinic.mjs';
import { DROP_UDP_NFT, onlyTcpTo } from '../support/netns.mjs';
import { withNetnsCall } from '../support/netns-call.mjs';

// The patient's Chromium alone, in its namespace; no call, so no participants.
const CALL = {
  namespaces: { patient: {} },
  // As tests/e2e/turn-tls-call.test.mjs: the namespace reaches only the veth's root-side
  // address, which is both the HTTP listener and the one media address announced.
  serverOn: 'netns',
  turn: ['udp', 'tcp', 'tls'],
  server: { workers: 1 },
  // coturn's certificate is a self-signed development one (scripts/lib/coturn.sh).
  netnsBrowserArgs: ['--ignore-certificate-errors'],
};

/** Signs in over the REST API (no browser) and books an appointment; returns its patient link token. */
async function bookInvitation(server) {
  const doc = await createPractitioner(server);
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: doc.email, password: doc.password, totp: await freshTotp(doc.secret) }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  const start = new Date(Date.now() + 5 * 60_000);
  const end = new Date(start.getTime() + 30 * 60_000);
  const res = await fetch(`${server.baseUrl}/api/v1/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ start: start.toISOString().replace(/\.\d+Z$/, 'Z'), end: end.toISOString().replace(/\.\d+Z$/, 'Z'), title: 'Check' }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.invitation.url.split('#i=')[1];
}

/** Replaces the namespace's firewall (an empty `rules`: an open network). */
async function network(ns, rules) {
  await ns.exec(['nft', 'flush', 'ruleset']);
  if (rules) {
    await ns.applyNft(rules);
  }
}

/** Waits for the call-path result sentence; returns the row's data and each path's outcome. */
async function result(page, sentence) {
  const row = page.locator('li.check').filter({ has: page.getByRole('heading', { name: 'Video calls on this network' }) });
  await row.getByRole('status').filter({ hasText: sentence }).waitFor({ timeout: 45_000 });
  const outcomes = {};
  for (const li of await row.locator('li[data-path]').all()) {
    outcomes[await li.getAttribute('data-path')] = { outcome: await li.getAttribute('data-outcome'), text: await li.innerText() };
  }
  return {
    path: await row.getAttribute('data-path'),
    protocol: await row.getAttribute('data-protocol'),
    relayProtocol: await row.getAttribute('data-relay-protocol'),
    outcomes,
  };
}

async function checkAgain(page) {
  const button = page.getByRole('button', { name: 'Check again' });
  await button.click();
  await page.getByText('Checking whether video calls get through this network…').waitFor({ timeout: 5_000 });
}

test('the pre-call check tells each network apart: UDP, TCP only, TURN/TLS only, blocked', { timeout: 240_000 }, async (t) => {
  await withNetnsCall(t, CALL, async ({ server, turn, netns: ns, browsers: { patient: browser }, pages }) => {
    const token = await bookInvitation(server);
    const page = await openInvitation(browser, `${server.baseUrl}/join#i=${token}`, 'Erika Mustermann');
    pages.push(page);

    // 1. Open network: UDP connects at once; nothing else is tried.
    const open = await result(page, 'Video calls work on this network.');
    t.diagnostic(`open: ${JSON.stringify(open)}`);
    assert.equal(open.path, 'udp');
    assert.equal(open.protocol, 'udp');
    assert.equal(open.outcomes.udp.outcome, 'works');
    assert.equal(open.outcomes.udp.text, 'Direct connection (UDP): works');
    assert.equal(open.outcomes.tcp.outcome, 'skipped');
    assert.equal(open.outcomes.relay.outcome, 'skipped');

    // 2. UDP dropped both ways: UDP times out, ICE-TCP connects.
    await network(ns, DROP_UDP_NFT);
    await checkAgain(page);
    const tcp = await result(page, 'Video calls work on this network.');
    t.diagnostic(`udp dropped: ${JSON.stringify(tcp)}`);
    assert.equal(tcp.outcomes.udp.outcome, 'blocked');
    assert.equal(tcp.path, 'tcp');
    assert.equal(tcp.protocol, 'tcp', 'the selected pair is not TCP');
    assert.equal(tcp.outcomes.relay.outcome, 'skipped');

    // 3. Only TCP to the web server and to coturn's TLS port: relayed over TLS.
    await network(ns, onlyTcpTo(ns.rootIp, [new URL(server.baseUrl).port, turn.tlsPort]));
    await checkAgain(page);
    const relay = await result(page, 'Video calls work on this network.');
    t.diagnostic(`only TURN/TLS: ${JSON.stringify(relay)}`);
    assert.equal(relay.outcomes.udp.outcome, 'blocked');
    assert.equal(relay.outcomes.tcp.outcome, 'blocked');
    assert.equal(relay.path, 'relay');
    assert.equal(relay.relayProtocol, 'tls', 'the relay was not reached over TLS');
    assert.match(relay.outcomes.relay.text, /works \(to the relay over TLS\)/);

    // 4. Only the web server: nothing gets through, and the patient is told so.
    await network(ns, onlyTcpTo(ns.rootIp, [new URL(server.baseUrl).port]));
    await checkAgain(page);
    const blocked = await result(page, /Your network blocks video calls; try another network .* or ask your IT department\./);
    t.diagnostic(`blocked: ${JSON.stringify(blocked)}`);
    assert.deepEqual(Object.values(blocked.outcomes).map((o) => o.outcome), ['blocked', 'blocked', 'blocked']);
    assert.equal(await page.locator('li.check').filter({ hasText: 'Your network blocks video calls' }).getAttribute('data-result'), 'fail');

    // Every path went through the probe route, and no probe became a participant or a room.
    assert.match(server.logs(), /probe_requested probe=p_\w+ transport=relay via=invitation/);
    assert.doesNotMatch(server.logs(), /media_participant_added|room_opened/);
  });
});
