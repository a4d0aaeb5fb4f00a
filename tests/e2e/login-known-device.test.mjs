// Issue 10 item 8: strangers' wrong passwords lock an account without TOTP, but not for
// the browser its owner signed in with before. The login page needs nothing for it: the
// browser keeps the device cookie from the sign-in answer and sends it back with the
// page's same-origin fetch.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { runAdmin } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const suite = useCallSuite({
  serverOptions: { workers: 1, args: ['--tls-self-signed'] },
  browserArgs: ['--ignore-certificate-errors'],
});

async function signInOnPage(page, email, password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard', { timeout: 15_000 });
}

function loginFromNode(email, password) {
  return fetch(`${suite.server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

test('a browser that signed in before still signs in while strangers hold the account locked', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const tenant = await runAdmin(suite.server, ['create-tenant', '--name', 'Praxis Ohne TOTP']);
  const tenantId = tenant.stdout.trim().split(/\s+/).at(-1);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const email = `owner+${randomBytes(3).toString('hex')}@example.org`;
  await runAdmin(suite.server, ['create-user', '--tenant', tenantId, '--email', email, '--role', 'practitioner', '--password-stdin'], { input: `${password}\n` });

  const page = await newCallPage(suite.browser, `${suite.server.baseUrl}/login`);
  page.displayName = 'owner';
  suite.pages.push(page);
  await signInOnPage(page, email, password);
  const device = (await page.context().cookies()).find((c) => c.name === 'medrtc_device');
  assert.ok(device, 'the sign-in set no device cookie');
  assert.equal(device.httpOnly, true);
  assert.equal(device.secure, true, 'over TLS the cookie is Secure');
  assert.equal(device.sameSite, 'Strict');
  assert.equal(device.path, '/api/v1/auth');
  assert.ok(device.expires * 1000 > Date.now() + 170 * 24 * 3600 * 1000, `expires ${device.expires}`);
  assert.ok(!device.value.includes(email.split('@')[0]), 'no personal data in the cookie');

  // Strangers lock the account: without the cookie even the right password is refused.
  for (let i = 0; i < 5; i++) {
    assert.equal((await loginFromNode(email, 'wrong guess')).status, 401);
  }
  assert.equal((await loginFromNode(email, password)).status, 429);

  // The owner's browser signs in again through the ordinary login page.
  await page.goto(`${suite.server.baseUrl}/login`);
  await signInOnPage(page, email, password);
  assert.equal((await loginFromNode(email, password)).status, 429, 'the strangers are still locked out');
}));
