// KBV K10: the patient's join page links to the practice's terms of use and privacy page,
// which shows the text its admin wrote, without any sign-in, as text (never as HTML).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { closePages } from '../support/call-page.mjs';
import { runAdmin, startServer } from '../support/server.mjs';

let server;
let browser;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1 });
  browser = await launchChromium();
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

function printedId(stdout) {
  const line = stdout.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.split(/\s+/).at(-1);
}

async function createUser(tenantId, role) {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const email = `${role}+${randomBytes(3).toString('hex')}@example.org`;
  await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', email, '--role', role, '--password-stdin'], { input: `${password}\n` });
  return { email, password };
}

// Runs in a page of the server's origin: sign in (same-origin, as the login page does),
// then the given API calls with the session's CSRF token.
async function asUser(page, user, calls) {
  return page.evaluate(async ({ user, calls }) => {
    const login = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(user) });
    const { csrf_token: csrf } = await login.json();
    const out = [];
    for (const [method, path, body] of calls) {
      const r = await fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
      out.push({ status: r.status, json: await r.json() });
    }
    return out;
  }, { user, calls });
}

test('K10: the join page links to the practice terms, shown without login as plain text', { timeout: 120_000 }, async () => {
  const tenant = await runAdmin(server, ['create-tenant', '--name', 'Praxis Dr. Weber', '--region', 'eu-de']);
  const tenantId = printedId(tenant.stdout);
  const admin = await createUser(tenantId, 'admin');
  const doctor = await createUser(tenantId, 'practitioner');
  const text = 'Praxis Dr. Weber – Datenschutz\n<b>Wir speichern keine Videos.</b>';

  const adminPage = await newCallPage(browser, `${server.baseUrl}/login`);
  pages.push(adminPage);
  const [put] = await asUser(adminPage, admin, [['PUT', `/api/v1/tenants/${tenantId}/terms`, { lang: 'en', text }]]);
  assert.equal(put.status, 200, JSON.stringify(put.json));

  const doctorContext = await browser.newContext();
  const doctorPage = await doctorContext.newPage();
  await doctorPage.goto(`${server.baseUrl}/login`);
  const start = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(Date.now() + 40 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const [created] = await asUser(doctorPage, doctor, [['POST', '/api/v1/appointments', { start, end, title: 'Follow-up' }]]);
  await doctorContext.close();
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const link = created.json.invitation.url;
  assert.equal(link.split('#i=')[0], `/join?t=${tenantId}`);

  // The patient: a fresh browser context, no account, no cookie.
  const patient = await newCallPage(browser, `${server.baseUrl}${link}`);
  pages.push(patient);
  const terms = patient.getByRole('link', { name: 'Terms of use and privacy' });
  await terms.waitFor({ timeout: 15_000 });
  const href = await terms.getAttribute('href');
  assert.equal(href, `/terms#t=${tenantId}`);

  const reader = await newCallPage(browser, `${server.baseUrl}${href}`, { permissions: [] });
  pages.push(reader);
  await reader.getByRole('heading', { name: /Terms of use and privacy – Praxis Dr. Weber/ }).waitFor({ timeout: 15_000 });
  await reader.locator('#terms-text').getByText('Wir speichern keine Videos.', { exact: false }).waitFor();
  // The admin's markup is shown as the characters typed, not turned into elements.
  assert.equal(await reader.locator('#terms-text').textContent(), text);
  assert.equal(await reader.locator('#terms-text b').count(), 0);
  for (const page of pages) {
    const csp = page.consoleMessages.filter((m) => /Content Security Policy|Refused to/i.test(m));
    assert.deepEqual(csp, []);
  }
});
