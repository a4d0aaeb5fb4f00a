// Issue 10 item 3, end to end with real Chromium: revocation revokes a patient who is
// already in a running call. (1) The practice revokes the invitation (DELETE
// /api/v1/invitations/{id}): the patient is told at once that the invitation is no longer
// valid and leaves; the host sees them go. (2) The patient's guest record is erased by
// `medrtc admin erase-subject` in another process beside `serve`: the server's periodic
// re-check (every 5 s) finds it and sends the patient out the same way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { closePages } from '../support/call-page.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, openInvitation, parsedFrames, passDeviceCheck, signIn, state, waitForState,
} from '../support/clinic.mjs';
import { runAdmin, startServer } from '../support/server.mjs';

let server;
let browser;
let doc;
let host;
const pages = [];

before(async () => {
  server = await startServer({ workers: 1 });
  browser = await launchChromium();
  // GDPR: no end-to-end encryption required, which these tests are not about.
  doc = await createPractitioner(server, { policy: 'gdpr' });
  host = await signIn(browser, server, doc);
  host.displayName = 'host';
  pages.push(host);
});

after(async () => {
  await closePages(pages);
  await browser?.close();
  await server?.stop();
});

function diagnostics(t) {
  t.diagnostic(`server log:\n${server.logs()}`);
  for (const page of pages) {
    t.diagnostic(`${page.displayName} console:\n${page.consoleMessages?.join('\n')}`);
  }
}

const REVOKED_TEXT = 'This invitation is no longer valid. Please contact the practice.';

/**
 * A new appointment from the dashboard, its patient waiting and then admitted by the host
 * on the call view: returns {appt, patient, guestId} with the patient in the call.
 */
async function patientInCall(name, title) {
  await host.goto(`${server.baseUrl}/dashboard`);
  await host.getByRole('heading', { name: 'New appointment' }).waitFor();
  const appt = await createAppointment(host, { title });
  const patient = await openInvitation(browser, appt.link, name);
  pages.push(patient);
  // The guest id is the identity in the join token the redeem returns (the erasure subject).
  let guestId = null;
  patient.on('response', async (res) => {
    if (res.url().endsWith('/api/v1/invitations/redeem') && res.status() === 200) {
      const token = (await res.json()).join_token;
      guestId = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).identity;
    }
  });
  await passDeviceCheck(patient);
  await joinAndWait(patient);

  await host.locator(`li[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
  await host.waitForURL(/\/consult\//);
  await host.getByRole('button', { name: 'Join', exact: true }).click();
  await waitForState(host, 'in_call');
  const queue = host.getByRole('region', { name: 'Waiting room' });
  await queue.getByRole('button', { name: `Admit ${name}` }).click({ timeout: 30_000 });
  await waitForState(patient, 'in_call');
  await host.getByRole('figure', { name: `Video of ${name}` }).waitFor({ timeout: 20_000 });
  assert.match(guestId ?? '', /^g_[0-9a-f]{16}$/);
  return { appt, patient, guestId };
}

/** The patient was told and left; the host's call goes on without them. */
async function assertSentAway(patient, name, timeout) {
  await patient.getByText(REVOKED_TEXT).waitFor({ timeout });
  assert.equal(await state(patient), 'error');
  assert.ok(parsedFrames(patient).some((m) => m.type === 'error' && m.code === 'access_revoked'), 'no access_revoked frame');
  assert.equal(await patient.locator('figure.tile').count(), 0, 'tiles left on the patient page');
  await host.getByRole('figure', { name: `Video of ${name}` }).waitFor({ state: 'detached', timeout: 15_000 });
  assert.equal(await state(host), 'in_call');
}

test('the practice revokes the invitation: the patient in the call is told and leaves', { timeout: 180_000 }, async (t) => {
  try {
    const name = 'Erika Mustermann';
    const { appt, patient } = await patientInCall(name, 'Revoked follow-up');
    const status = await host.evaluate(async (id) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const appointment = await (await fetch(`/api/v1/appointments/${id}`)).json();
      const invitation = appointment.invitations.find((i) => i.role === 'patient');
      const res = await fetch(`/api/v1/invitations/${invitation.id}`, { method: 'DELETE', headers: { 'x-csrf-token': me.csrf_token } });
      return res.status;
    }, appt.id);
    assert.equal(status, 204);
    // This server made the change: no waiting for the periodic re-check.
    await assertSentAway(patient, name, 4_000);
  } catch (err) {
    diagnostics(t);
    throw err;
  }
});

test('the guest is erased by the admin CLI beside serve: the patient in the call leaves within the re-check', { timeout: 180_000 }, async (t) => {
  try {
    const name = 'Max Muster';
    const { patient, guestId } = await patientInCall(name, 'Erased follow-up');
    const erased = await runAdmin(server, ['erase-subject', '--subject', guestId]);
    assert.match(erased.stdout, new RegExp(`erased subject ${guestId}`));
    await assertSentAway(patient, name, 15_000);
  } catch (err) {
    diagnostics(t);
    throw err;
  }
});
