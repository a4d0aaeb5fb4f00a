// KBV K5 end to end with real Chromium: a practitioner and a patient are in a call; the
// practitioner adds a staff member of the practice from the call screen ("Add staff
// member"); the staff member, signed in with their own account in their own browser
// context, finds the consultation on their dashboard, presses "Join", waits in the
// waiting room like everyone else, is admitted, and is in the call with both. A staff
// member the practitioner did not add sees nothing to join and is refused (403
// `not_added`) when asking for a token anyway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { closePages, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, openInvitation, passDeviceCheck, signIn, waitForState,
} from '../support/clinic.mjs';
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

/** A staff account of the practice, with TOTP (KBV requires MFA for every account). */
async function createStaff(tenantId, displayName, email) {
  const password = `pw-staff-${Math.random().toString(36).slice(2, 12)}`;
  const user = await runAdmin(server, [
    'create-user', '--tenant', tenantId, '--email', email, '--role', 'staff', '--display-name', displayName, '--password-stdin', '--totp',
  ], { input: `${password}\n` });
  const secret = /secret[=:\s]+([A-Z2-7]{16,})/i.exec(user.stdout + user.stderr)?.[1];
  assert.ok(secret, `no TOTP secret in create-user output:\n${user.stdout}\n${user.stderr}`);
  return { email, password, secret: secret.toUpperCase() };
}

async function admit(host, name) {
  await host.getByRole('region', { name: 'Waiting room' }).getByRole('button', { name: `Admit ${name}` }).click({ timeout: 20_000 });
}

/** POST …/staff-token from a signed-in page, as its own script would (cookie + CSRF). */
async function askForStaffToken(page, appointmentId) {
  return page.evaluate(async (id) => {
    const me = await (await fetch('/api/v1/auth/me', { credentials: 'same-origin' })).json();
    const res = await fetch(`/api/v1/appointments/${encodeURIComponent(id)}/staff-token`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': me.csrf_token, accept: 'application/json' },
    });
    return { status: res.status, body: await res.json() };
  }, appointmentId);
}

test('K5: the practitioner adds a staff member from the call; they join through the waiting room; one not added cannot', { timeout: 240_000 }, async (t) => {
  try {
    const doc = await createPractitioner(server);  // a KBV practice
    const lea = await createStaff(doc.tenantId, 'MFA Lea Wagner', 'lea.wagner@example.org');
    const jonas = await createStaff(doc.tenantId, 'MFA Jonas Berg', 'jonas.berg@example.org');

    // The practitioner and the patient in a call.
    const host = await signIn(browser, server, doc);
    host.displayName = 'host';
    pages.push(host);
    const appt = await createAppointment(host, { title: 'Follow-up Anna' });
    const patient = await openInvitation(browser, appt.link, 'Anna Schmidt');
    pages.push(patient);
    await passDeviceCheck(patient);
    await joinAndWait(patient);
    await host.locator(`li[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
    await host.waitForURL(/\/consult\//);
    await host.getByRole('button', { name: 'Join', exact: true }).click();
    await waitForState(host, 'in_call');
    await admit(host, 'Anna Schmidt');
    await waitForState(patient, 'in_call');
    await Promise.all([waitForRemoteMedia(host), waitForRemoteMedia(patient)]);

    // From the call screen: the practice's staff by name (no emails), then add one.
    const addButton = host.getByRole('button', { name: 'Add staff member', exact: true });
    await addButton.click();
    assert.equal(await addButton.getAttribute('aria-expanded'), 'true');
    const panel = host.getByRole('region', { name: 'Staff of the practice' });
    await panel.getByRole('button', { name: 'Add MFA Lea Wagner' }).waitFor();
    await panel.getByRole('button', { name: 'Add MFA Jonas Berg' }).waitFor();
    const panelText = await panel.innerText();
    assert.ok(!panelText.includes('@'), `the staff list shows an email: ${panelText}`);
    await panel.getByRole('button', { name: 'Add MFA Lea Wagner' }).click();
    await panel.getByRole('button', { name: 'MFA Lea Wagner added' }).waitFor();
    assert.equal(await panel.getByRole('button', { name: 'MFA Lea Wagner added' }).isDisabled(), true);
    await host.getByText('MFA Lea Wagner was added. They wait in the waiting room until you let them in.').waitFor();

    // Lea, in her own browser context, signed in: the consultation is on her dashboard.
    const staff = await signIn(browser, server, lea);
    staff.displayName = 'staff Lea';
    pages.push(staff);
    const mine = staff.getByRole('region', { name: 'Consultations you were added to' });
    const item = mine.locator(`li[data-appointment-id="${appt.id}"]`);
    await item.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 15_000 });
    await staff.waitForURL(/\/call\/r_/);
    assert.ok(!staff.url().includes('#t='), `token still in the address bar: ${staff.url()}`);
    await joinAndWait(staff);
    // Admitted like everyone else: nothing of the call before that.
    assert.equal(await staff.locator('figure.tile.remote').count(), 0);
    await admit(host, 'MFA Lea Wagner');
    await waitForState(staff, 'in_call');
    const [hostId, patientId, staffId] = [await participantId(host), await participantId(patient), await participantId(staff)];
    await waitForRemoteMedia(staff);
    await waitForTileFrames(staff, hostId);
    await waitForTileFrames(staff, patientId);
    await waitForTileFrames(host, staffId);
    await waitForTileFrames(patient, staffId);
    await host.getByRole('figure', { name: 'Video of MFA Lea Wagner' }).waitFor();

    // Jonas was not added: nothing to join on his dashboard, and a token is refused.
    const other = await signIn(browser, server, jonas);
    other.displayName = 'staff Jonas';
    pages.push(other);
    const his = other.getByRole('region', { name: 'Consultations you were added to' });
    await his.getByText('No doctor has added you to a consultation right now.').waitFor();
    assert.equal(await his.getByRole('button', { name: 'Join', exact: true }).count(), 0);
    const refused = await askForStaffToken(other, appt.id);
    assert.equal(refused.status, 403, JSON.stringify(refused));
    assert.equal(refused.body.code, 'not_added');
    // Lea is still in the call, and so are the other two.
    assert.equal(await staff.evaluate(() => window.__medrtc.state), 'in_call');
    assert.equal(await patient.evaluate(() => window.__medrtc.state), 'in_call');
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    throw err;
  }
});
