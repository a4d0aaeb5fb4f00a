// Issue 11 item 5 in Firefox: the pre-call check's real connection (join/call-path.ts)
// also works in Firefox ESR, and the selected pair is read from its getStats() (through
// transport.selectedCandidatePairId where present, else the pair Firefox marks
// `selected`). Open network, server in
// the root namespace announcing this machine's interface address: works over UDP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPractitioner, freshTotp } from '../support/clinic.mjs';
import { closePages } from '../support/call-page.mjs';
import { interfaceIpv4 } from '../support/coturn.mjs';
import { launchFirefox, openInvitationFirefox } from '../support/firefox.mjs';
import { startServer, waitFor } from '../support/server.mjs';

let server;
let firefox;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1 });
  firefox = await launchFirefox();
});

after(async () => {
  await closePages(pages);
  await firefox?.close();
  await server?.stop();
});

async function bookInvitation() {
  const doc = await createPractitioner(server);
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: doc.email, password: doc.password, totp: await freshTotp(doc.secret) }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await login.json();
  const start = new Date(Date.now() + 5 * 60_000);
  const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await fetch(`${server.baseUrl}/api/v1/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ start: iso(start), end: iso(new Date(start.getTime() + 30 * 60_000)), title: 'Check' }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).invitation.url.split('#i=')[1];
}

test('Firefox: the pre-call check connects over UDP and says video calls work', { timeout: 120_000 }, async (t) => {
  if (!interfaceIpv4()) {
    t.skip('no non-loopback IPv4 address: Firefox pairs no loopback candidate');
    return;
  }
  try {
    const token = await bookInvitation();
    const page = await openInvitationFirefox(firefox, `${server.baseUrl}/join#i=${token}`, 'Erika Mustermann');
    pages.push(page);
    const read = () => page.evaluate(() => {
      const row = [...document.querySelectorAll('li.check')].find((li) => li.querySelector('h3')?.textContent === 'Video calls on this network');
      return row && {
        result: row.dataset.result,
        status: row.querySelector('[role="status"]')?.textContent,
        path: row.dataset.path,
        protocol: row.dataset.protocol,
        udp: row.querySelector('li[data-path="udp"]')?.dataset.outcome,
      };
    });
    await waitFor(async () => (await read())?.result !== 'pending' && (await read())?.result !== undefined, { timeoutMs: 45_000, what: 'the call-path result' });
    const got = await read();
    t.diagnostic(JSON.stringify(got));
    assert.equal(got.status, 'Video calls work on this network.');
    assert.equal(got.result, 'pass');
    assert.equal(got.path, 'udp');
    assert.equal(got.udp, 'works');
    assert.equal(got.protocol, 'udp', 'no selected pair read from Firefox getStats()');
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  }
});
