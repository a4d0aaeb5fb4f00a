// Issue 15 item 6 in Chromium: the practice's admin signs in with TOTP and sees, on the
// dashboard, a consultation of their practice while the patient waits (with the waiting
// time) and then live, with a uPlot chart of its call quality that has data points and
// the simulcast layer the SFU forwards (the web client sends three layers; a 1:1 call
// gets the top one, 2) — all from our own origin. After the host ended the consultation
// it is listed under "Ended consultations" and its kept history is charted from the
// store. A practitioner of the same practice gets no such section, and the REST route
// refuses them. A GDPR practice: its 1:1 goes through the SFU (a KBV practice's goes
// peer to peer, where the SFU measures nothing).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { createAppointment, createPractitioner, joinAndWait, openInvitation, passDeviceCheck, signIn, waitForState } from '../support/clinic.mjs';
import { runAdmin, startServer, waitFor } from '../support/server.mjs';

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

/** `medrtc admin create-user --role admin --totp` in an existing tenant. */
async function createAdmin(tenantId) {
  const password = 'pw-admin-dashboard-1';
  const email = `admin+${Date.now()}@example.org`;
  const user = await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', email, '--role', 'admin', '--password-stdin', '--totp'], { input: `${password}\n` });
  const secret = /secret[=:\s]+([A-Z2-7]{16,})/i.exec(user.stdout + user.stderr)?.[1];
  assert.ok(secret, `no TOTP secret in create-user output:\n${user.stdout}\n${user.stderr}`);
  return { email, password, secret: secret.toUpperCase() };
}

test('the admin sees a live consultation, its waiting time and a call-quality chart with data', { timeout: 240_000 }, async (t) => {
  try {
    const doc = await createPractitioner(server, { policy: 'gdpr' });
    const admin = await signIn(browser, server, await createAdmin(doc.tenantId));
    admin.displayName = 'admin';
    pages.push(admin);
    const live = admin.getByRole('region', { name: 'Live consultations' });
    await live.getByText('No consultation is running now.').waitFor();

    const host = await signIn(browser, server, doc);
    host.displayName = 'host';
    pages.push(host);
    assert.equal(await host.getByRole('region', { name: 'Live consultations' }).count(), 0, 'a practitioner sees the admin section');
    const refused = await host.evaluate(async () => (await fetch('/api/v1/admin/consultations')).status);
    assert.equal(refused, 403);

    const appt = await createAppointment(host, { title: 'Dashboard check' });
    const patient = await openInvitation(browser, appt.link, 'Anna Schmidt');
    pages.push(patient);
    await passDeviceCheck(patient);
    await joinAndWait(patient);

    // Waiting: one row, nobody in the call yet, one guest waiting.
    const row = live.locator('tbody tr').first();
    await waitFor(async () => (await row.locator('td').nth(2).innerText()) === '1', { timeoutMs: 20_000, what: 'the waiting guest on the admin dashboard' });
    assert.equal(await row.locator('td').nth(0).innerText(), 'not yet');
    assert.match(await row.locator('td').nth(3).innerText(), /^\d+ s$|min/);

    // The host starts and admits; the admin's row shows two in the call.
    await host.locator(`li[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
    await host.waitForURL(/\/consult\//);
    await host.getByRole('button', { name: 'Join', exact: true }).click();
    await waitForState(host, 'in_call');
    await host.getByRole('region', { name: 'Waiting room' }).getByRole('button', { name: 'Admit Anna Schmidt' }).click({ timeout: 20_000 });
    await waitForState(patient, 'in_call');
    await Promise.all([waitForRemoteMedia(host), waitForRemoteMedia(patient)]);
    await waitForTileFrames(host, await participantId(patient));
    await waitFor(async () => (await row.locator('td').nth(1).innerText()) === '2', { timeoutMs: 20_000, what: 'two in the call on the dashboard' });

    // The chart: uPlot's canvas, and at least two 5 s samples behind it.
    const chart = live.getByRole('figure', { name: /^Call quality over time of consultation / });
    await chart.locator('canvas').waitFor({ timeout: 30_000 });
    await waitFor(async () => Number(await chart.getAttribute('data-points')) >= 2, { timeoutMs: 40_000, what: 'two quality samples in the chart' });
    await chart.getByText(/^Latest: [\d.]+ % loss/).waitFor();
    // The layer figure: the top of the three simulcast layers, forwarded to both.
    await chart.getByText(/layer 2, \d+ freezes\.$/).waitFor({ timeout: 40_000 });
    assert.equal(await chart.getAttribute('data-live'), 'true');
    // Two more 5 s reports: the history keeps one sample per 10 s, so one of them is kept
    // with layer 2 too (the first kept sample may predate the first forwarded frame).
    const seen = Number(await chart.getAttribute('data-points'));
    await waitFor(async () => Number(await chart.getAttribute('data-points')) >= seen + 2, { timeoutMs: 30_000, what: 'two more quality samples' });
    await waitFor(async () => ['good', 'fair', 'poor'].includes(await row.locator('td').nth(4).innerText()), { what: 'a quality word in the row' });

    // The host ends the consultation: it leaves the live list and its kept history is
    // listed and charted.
    const roomId = await row.locator('th').innerText();
    await host.getByRole('button', { name: 'End consultation' }).click();
    await host.getByRole('dialog', { name: 'End the consultation for everyone?' }).getByRole('button', { name: 'End for everyone' }).click();
    await patient.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 15_000 });
    const ended = live.getByRole('region', { name: 'Ended consultations' });
    const endedRow = ended.locator(`tbody tr[data-room-id="${roomId}"]`);
    await endedRow.waitFor({ timeout: 30_000 });
    assert.equal(await live.getByText('No consultation is running now.').isVisible(), true);
    await endedRow.getByRole('button', { name: `Show call quality of ${roomId}` }).click();
    await waitFor(async () => (await chart.getAttribute('data-live')) === 'false', { timeoutMs: 20_000, what: 'the chart of the kept history' });
    assert.equal(await chart.getAttribute('data-room-id'), roomId);
    assert.ok(Number(await chart.getAttribute('data-points')) >= 1, 'no kept samples charted');
    await chart.getByText(/^Latest: [\d.]+ % loss.*layer 2, \d+ freezes\.$/).waitFor();
    // No name in what the dashboard read about the ended consultation.
    const kept = await admin.evaluate(async (id) => {
      const list = await (await fetch('/api/v1/admin/quality-history')).text();
      const quality = await (await fetch(`/api/v1/admin/consultations/${id}/quality`)).text();
      return list + quality;
    }, roomId);
    assert.ok(!kept.includes('Anna') && !kept.includes('Schmidt'), kept);
    assertNoForeignRequests(admin, server.baseUrl);
    // uPlot draws under the page's CSP (style-src 'self'): nothing refused, nothing thrown.
    const refusedOrThrown = admin.consoleMessages.filter((m) => /Content Security Policy|pageerror:/i.test(m));
    assert.deepEqual(refusedOrThrown, []);
  } catch (err) {
    t.diagnostic(`server log:\n${server.logs()}`);
    for (const page of pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    throw err;
  }
});
