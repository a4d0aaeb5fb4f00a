// Helpers for browser tests of the consultation workflow (docs/consultation-api.md):
// create a tenant and a practitioner with TOTP through the admin CLI, sign in through
// /login, create an appointment on /dashboard, and walk a guest through /join. Every
// element is found by its accessible name, as a person using a screen reader would.
import { randomBytes } from 'node:crypto';
import { newCallPage } from './chromium.mjs';
import { runAdmin, waitFor } from './server.mjs';
import { totp } from './totp.mjs';

/** Last word of the first non-empty line (the CLI prints the new id). */
function printedId(stdout) {
  const line = stdout.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.split(/\s+/).at(-1);
}

/**
 * `medrtc admin create-tenant` + `create-user --role practitioner --totp`; returns
 * {tenantId, userId, email, password, secret}.
 */
export async function createPractitioner(server, { name = 'Praxis Dr. Weber', email, policy = 'kbv' } = {}) {
  const tenant = await runAdmin(server, ['create-tenant', '--name', name, '--policy', policy, '--region', 'eu-de', '--require-totp']);
  const tenantId = printedId(tenant.stdout);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const mail = email ?? `dr.weber+${randomBytes(3).toString('hex')}@example.org`;
  const user = await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', mail, '--role', 'practitioner', '--password-stdin', '--totp'], { input: `${password}\n` });
  const secret = /secret[=:\s]+([A-Z2-7]{16,})/i.exec(user.stdout + user.stderr)?.[1];
  if (!secret) {
    throw new Error(`no TOTP secret in create-user output:\n${user.stdout}\n${user.stderr}`);
  }
  return { tenantId, userId: printedId(user.stdout), email: mail, password, secret: secret.toUpperCase() };
}

/** A TOTP code that stays valid for at least 5 s (waits out the end of a step). */
export async function freshTotp(secret) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 5_000) {
    await new Promise((r) => setTimeout(r, left + 200));
  }
  return totp(secret);
}

/**
 * A TOTP code of a later step than the one used at `usedAt` (ms): a code is good once
 * (RFC 6238 §5.2), so signing in right after first-run setup needs the next one.
 */
export async function nextTotp(secret, usedAt) {
  const nextStep = (Math.floor(usedAt / 30_000) + 1) * 30_000;
  if (Date.now() < nextStep) {
    await new Promise((r) => setTimeout(r, nextStep - Date.now() + 200));
  }
  return freshTotp(secret);
}

/** Signs in on /login (email, password, then the authentication code); ends on /dashboard. */
export async function signIn(browser, server, doc) {
  const page = await newCallPage(browser, `${server.baseUrl}/login`);
  page.displayName = 'practitioner';
  await page.getByLabel('Email').fill(doc.email);
  await page.getByLabel('Password').fill(doc.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authentication code');
  await code.waitFor();
  await code.fill(await freshTotp(doc.secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/, { timeout: 15_000 });
  await page.getByRole('heading', { name: 'New appointment' }).waitFor();
  return page;
}

/** Creates an appointment on the dashboard; returns {id, link, code, card}. */
export async function createAppointment(page, { title = 'Follow-up' } = {}) {
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create appointment' }).click();
  const card = page.locator('li.appointment').filter({ hasText: title }).first();
  await card.getByRole('button', { name: 'Copy patient link' }).waitFor({ timeout: 15_000 });
  const link = await card.getByLabel('Patient link').inputValue();
  const code = /(\d{3} \d{3} \d{3})/.exec(await card.innerText())?.[1]?.replace(/ /g, '');
  const id = await card.getAttribute('data-appointment-id');
  return { id, link, code, card };
}

/**
 * Opens an invitation link as a guest in a fresh context, records every WebSocket frame
 * the page receives (page.wsFrames), types the name and waits for the device check.
 */
export async function openInvitation(browser, link, name) {
  const page = await newCallPage(browser, link, { goto: false });
  page.displayName = name;
  page.wsFrames = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => page.wsFrames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString()));
  });
  await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  return page;
}

/** Waits for the three device checks to pass (camera, microphone level, network). */
export async function passDeviceCheck(page) {
  await page.getByText('Your camera works').waitFor({ timeout: 15_000 });
  // Reachable is the pass; on a loaded test machine it may say "slow", which still passes.
  await page.getByText(/Your connection (works|is slow) \(\d+ ms\)/).waitFor({ timeout: 15_000 });
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  await waitFor(async () => Number(await meter.getAttribute('aria-valuenow')) > 0, { timeoutMs: 15_000, what: `${page.displayName}'s microphone meter to move` });
  await page.getByText('Your microphone works').waitFor({ timeout: 15_000 });
}

/** Presses Join and waits for the waiting screen (own position only). */
export async function joinAndWait(page) {
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByText('Please wait, the doctor will let you in shortly').waitFor({ timeout: 15_000 });
  await waitFor(() => page.evaluate(() => window.__medrtc.state === 'waiting'), { what: `${page.displayName} to wait` });
}

export async function state(page) {
  return page.evaluate(() => window.__medrtc.state);
}

export async function waitForState(page, wanted, timeoutMs = 20_000) {
  await waitFor(async () => (await state(page)) === wanted, { timeoutMs, what: `${page.displayName} to reach state ${wanted}` });
}

/** Frames received by a guest page, parsed (non-JSON frames kept as {raw}). */
export function parsedFrames(page) {
  return page.wsFrames.map((f) => {
    try {
      return JSON.parse(f);
    } catch {
      return { raw: f };
    }
  });
}
