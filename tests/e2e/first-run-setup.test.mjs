// Issue 15 item 1, end to end with real Chromium: a fresh node (no accounts) prints a
// one-time setup link on its stdout; /setup creates the practice and its first admin with
// a TOTP enrolment shown as a QR code drawn by the server (no third-party request); the
// admin signs in with a code computed from the enrolled secret, creates an appointment,
// and the patient joins its waiting room through the invitation link. The link is then
// dead, and neither it nor the admin's email reaches the server's stderr (the log).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages } from '../support/call-page.mjs';
import { createAppointment, freshTotp, joinAndWait, nextTotp, openInvitation, passDeviceCheck } from '../support/clinic.mjs';
import { startServer, waitFor } from '../support/server.mjs';

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

test('fresh node: setup link → /setup with QR TOTP → sign in → appointment → patient waits', { timeout: 180_000 }, async (t) => {
  try {
    // The link comes on stdout, right after "listening on".
    const link = await waitFor(() => /medrtc setup: open (\S+\/setup#t=[A-Za-z0-9_-]+)/.exec(server.logs())?.[1],
      { timeoutMs: 10_000, what: 'the setup link on stdout' });
    assert.ok(link.startsWith(server.baseUrl), link);
    const token = new URL(link).hash.slice('#t='.length);

    const setup = await newCallPage(browser, link);
    setup.displayName = 'setup';
    pages.push(setup);
    // The token leaves the address bar at once.
    await waitFor(async () => !setup.url().includes('#t='), { what: 'the token to leave the address bar' });
    const email = 'first.admin@example.org';
    const password = 'correct horse battery staple';
    await setup.getByLabel('Practice name').fill('Praxis am Markt');
    await setup.getByLabel('Policy profile').selectOption('kbv');
    await setup.getByLabel('Region').fill('eu-de');
    await setup.getByLabel('Email').fill(email);
    await setup.getByLabel('Password').fill(password);
    await setup.getByRole('button', { name: 'Continue' }).click();

    // The QR code is an SVG image in the page, with its accessible name; the URI and the
    // secret are there as text too.
    const qr = setup.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor({ timeout: 15_000 });
    assert.ok(await qr.locator('path').count() >= 1, 'the QR code has no modules');
    const uri = await setup.getByLabel('Setup address for the authenticator app (if you cannot scan)').inputValue();
    assert.match(uri, /^otpauth:\/\/totp\/Praxis%20am%20Markt:first\.admin@example\.org\?secret=[A-Z2-7]+/);
    const secret = await setup.getByLabel('Secret key (to type into the app)').inputValue();
    assert.ok(uri.includes(`secret=${secret}`), uri);

    // A wrong code is refused and creates nothing; the right one creates the accounts.
    const good = await freshTotp(secret);
    await setup.getByLabel('Authentication code').fill(good === '000000' ? '111111' : '000000');
    await setup.getByRole('button', { name: 'Create account' }).click();
    await setup.getByRole('alert').filter({ hasText: 'The code is not right' }).waitFor();
    await setup.getByLabel('Authentication code').fill(await freshTotp(secret));
    const setupCodeAt = Date.now();
    await setup.getByRole('button', { name: 'Create account' }).click();
    await setup.getByText('Your practice and your administrator account are ready').waitFor({ timeout: 15_000 });
    assertNoForeignRequests(setup, server.baseUrl);
    // The QR code is parsed into the page as SVG: nothing the CSP (no inline script or style) refuses.
    assert.deepEqual(setup.consoleMessages.filter((m) => /Content Security Policy|pageerror/.test(m)), []);

    // The link is used up.
    const again = await fetch(`${server.baseUrl}/api/v1/setup/complete`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, code: '123456' }),
    });
    assert.equal(again.status, 410);
    assert.equal((await again.json()).code, 'setup_closed');

    // Sign in with the enrolled authenticator.
    await setup.getByRole('link', { name: 'Go to sign-in' }).click();
    await setup.waitForURL(/\/login$/);
    await setup.getByLabel('Email').fill(email);
    await setup.getByLabel('Password').fill(password);
    await setup.getByRole('button', { name: 'Sign in' }).click();
    const code = setup.getByLabel('Authentication code');
    await code.waitFor();
    // The setup's code is spent (one use per code): the app's next one signs in.
    await code.fill(await nextTotp(secret, setupCodeAt));
    await setup.getByRole('button', { name: 'Sign in' }).click();
    await setup.waitForURL(/\/dashboard$/, { timeout: 15_000 });
    await setup.getByRole('heading', { name: 'New appointment' }).waitFor();

    const appt = await createAppointment(setup, { title: 'First consultation' });
    const patient = await openInvitation(browser, appt.link, 'Erika Muster');
    pages.push(patient);
    await passDeviceCheck(patient);
    await joinAndWait(patient);
    await patient.getByText('You are number 1 in line').waitFor({ timeout: 20_000 });

    // stderr is the log: no token, no email, no practice name.
    const stderr = server.logs().split('\n').filter((l) => !l.startsWith('medrtc setup: open') && !l.startsWith('medrtc listening')).join('\n');
    for (const secretText of [token, email, 'Praxis am Markt', 'Erika Muster', secret]) {
      assert.ok(!stderr.includes(secretText), `the log contains "${secretText}"`);
    }
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
    }
    throw err;
  }
});
