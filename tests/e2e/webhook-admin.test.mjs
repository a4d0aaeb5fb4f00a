// The practice admin's webhook section on /dashboard (issue 15 item 3): add an endpoint,
// see its signing secret once, and read its delivery log after a call in the tenant.
// Found by accessible names, as a screen reader user would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { SignalingClient } from '../interop/signaling.mjs';
import { closePages } from '../support/call-page.mjs';
import { launchChromium } from '../support/chromium.mjs';
import { signIn } from '../support/clinic.mjs';
import { runAdmin, startServer, wsUrl } from '../support/server.mjs';

let server;
let browser;
let receiver;
const pages = [];
const received = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers['webhook-id']);
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  server = await startServer({ args: ['--webhook-allow-private-targets', '--webhook-retry-base-ms', '200'] });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve()));
});

function lastLine(stdout) {
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1).split(/\s+/).at(-1);
}

async function createAdmin() {
  const tenant = await runAdmin(server, ['create-tenant', '--name', 'Praxis Hooks', '--region', 'eu-de']);
  const tenantId = tenant.stdout.split('\n').map((l) => l.trim()).find(Boolean).split(/\s+/).at(-1);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const email = `admin+${randomBytes(3).toString('hex')}@example.org`;
  const user = await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', email, '--role', 'admin', '--password-stdin', '--totp'],
    { input: `${password}\n` });
  const secret = /secret[=:\s]+([A-Z2-7]{16,})/i.exec(user.stdout + user.stderr)?.[1];
  assert.ok(secret, 'create-user printed the TOTP secret');
  return { tenantId, email, password, secret: secret.toUpperCase() };
}

test('an admin adds a webhook address, sees its secret once and reads the delivery log', async () => {
  const admin = await createAdmin();
  const page = await signIn(browser, server, admin);
  pages.push(page);
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  await page.getByText('No addresses yet.').waitFor();
  const url = `http://127.0.0.1:${receiver.address().port}/medrtc`;
  await page.getByLabel('Address (https://…)').fill(url);
  await page.getByRole('button', { name: 'Add address' }).click();
  const secret = page.getByLabel('Signing secret');
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^whsec_/);
  await page.getByRole('heading', { name: url }).waitFor();

  // A call in the tenant: a tenant key's room, one participant.
  const key = lastLine((await runAdmin(server, ['create-api-key', '--tenant', admin.tenantId])).stdout);
  const call = async (method, path, body) => {
    const res = await fetch(server.baseUrl + path, {
      method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    assert.ok(res.ok, `${method} ${path} → ${res.status}`);
    return res.json();
  };
  const room = await call('POST', '/api/v1/rooms');
  const { token } = await call('POST', `/api/v1/rooms/${room.id}/tokens`, { identity: 'x', name: 'X', role: 'host' });
  const client = await SignalingClient.connect(wsUrl(server));
  client.send({ type: 'join', token });
  await client.next('joined', { timeout: 10_000 });
  for (let i = 0; i < 100 && received.length < 2; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(received.length >= 2, true, 'room_started and participant_joined reached the receiver');

  await page.getByRole('button', { name: 'Show delivery log' }).click();
  const log = page.getByRole('table', { name: `Deliveries to ${url}` });
  await log.waitFor();
  await log.getByRole('row').filter({ hasText: 'room_started' }).filter({ hasText: 'Delivered' }).waitFor();
  await log.getByRole('row').filter({ hasText: 'participant_joined' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Hide delivery log' }).getAttribute('aria-expanded'), 'true');
  client.close();
  const csp = page.consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
  assert.deepEqual(csp, []);
});
