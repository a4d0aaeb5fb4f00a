// On a KBV node (staff MFA required), an account created without an authenticator app
// cannot sign in, and the login page says why and who can fix it — not "unknown error".
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages } from '../support/call-page.mjs';
import { runAdmin, startServer } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] });
  browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

test('a staff account without TOTP on a KBV node is refused at sign-in with a clear message', { timeout: 60_000 }, async (t) => {
  try {
    // Created by an admin command that was not told the node's policy (no --config or
    // --node-policy) and a tenant without its own profile: the account exists, but the
    // running node still enforces its KBV rule at sign-in.
    const tenant = await runAdmin(server, ['create-tenant', '--name', 'Praxis Alt']);
    const tenantId = tenant.stdout.trim().split(/\s+/).at(-1);
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    const email = `alt+${randomBytes(3).toString('hex')}@example.org`;
    await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', email, '--role', 'practitioner', '--password-stdin'], { input: `${password}\n` });

    const page = await newCallPage(browser, `${server.baseUrl}/login`);
    page.displayName = 'practitioner';
    pages.push(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This practice requires two-factor sign-in').waitFor({ timeout: 10_000 });
    assert.ok(page.url().endsWith('/login'), page.url());
    assert.equal(await page.getByLabel('Authentication code').isVisible(), false);
    assertNoForeignRequests(page, server.baseUrl);
    assert.doesNotMatch(server.logs(), new RegExp(email.replace(/[.+]/g, '\\$&')), 'the email reached the log');
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    throw err;
  }
});
