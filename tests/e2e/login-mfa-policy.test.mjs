// On a KBV node (staff MFA required), an account created without an authenticator app
// cannot sign in, and the login page says why and who can fix it — not "unknown error".
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests } from '../support/call-page.mjs';
import { useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { runAdmin } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const suite = useCallSuite({
  serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] },
  browserArgs: ['--ignore-certificate-errors'],
});

test('a staff account without TOTP on a KBV node is refused at sign-in with a clear message', { timeout: 60_000 }, (t) => withDiagnostics(t, suite, async () => {
  // Created by an admin command that was not told the node's policy (no --config or
  // --node-policy) and a tenant without its own profile: the account exists, but the
  // running node still enforces its KBV rule at sign-in.
  const tenant = await runAdmin(suite.server, ['create-tenant', '--name', 'Praxis Alt']);
  const tenantId = tenant.stdout.trim().split(/\s+/).at(-1);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const email = `alt+${randomBytes(3).toString('hex')}@example.org`;
  await runAdmin(suite.server, ['create-user', '--tenant', tenantId, '--email', email, '--role', 'practitioner', '--password-stdin'], { input: `${password}\n` });

  const page = await newCallPage(suite.browser, `${suite.server.baseUrl}/login`);
  page.displayName = 'practitioner';
  suite.pages.push(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This practice requires two-factor sign-in').waitFor({ timeout: 10_000 });
  assert.ok(page.url().endsWith('/login'), page.url());
  assert.equal(await page.getByLabel('Authentication code').isVisible(), false);
  assertNoForeignRequests(page, suite.server.baseUrl);
  assert.doesNotMatch(suite.server.logs(), new RegExp(email.replace(/[.+]/g, '\\$&')), 'the email reached the log');
}));
