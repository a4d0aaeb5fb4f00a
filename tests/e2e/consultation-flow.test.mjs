// Issue 4, end to end with real Chromium: a practitioner signs in with TOTP, creates an
// appointment; the patient opens the link, types a name, passes the device check and
// waits — with no media transport and nothing about anyone else reaching the page — until
// the host admits them; both see and hear each other, chat both ways; an interpreter
// joins after being admitted; the host ends; the patient link no longer works. Also: the
// same after a server restart in the middle of the waiting period, and the pages in German
// and French.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests, closePages, inboundStats, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import {
  createAppointment, createPractitioner, joinAndWait, openInvitation, parsedFrames, passDeviceCheck, signIn, state, waitForState,
} from '../support/clinic.mjs';
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

function diagnostics(t) {
  t.diagnostic(`server log:\n${server.logs()}`);
  for (const page of pages) {
    t.diagnostic(`${page.displayName} console:\n${page.consoleMessages.join('\n')}`);
  }
}

/** What a waiting guest may receive: its own position, keep-alive answers. */
const WAITING_TYPES = new Set(['waiting', 'pong']);

/** Asserts a waiting page has no media and learned nothing about anyone (text and frames). */
async function assertWaitingIsBlind(page, secrets) {
  const media = await page.evaluate(() => ({ publisher: window.__medrtc.publisher, subscriber: window.__medrtc.subscriber }));
  assert.deepEqual(media, { publisher: null, subscriber: null }, `${page.displayName} has a peer connection while waiting`);
  const stats = await inboundStats(page);
  assert.equal(stats.video.streams + stats.audio.streams, 0, 'inbound-rtp while waiting');
  const text = await page.locator('body').innerText();
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `waiting page shows "${secret}"`);
    for (const frame of page.wsFrames) {
      assert.ok(!frame.includes(secret), `waiting page received a frame containing "${secret}": ${frame}`);
    }
  }
  for (const msg of parsedFrames(page)) {
    assert.ok(WAITING_TYPES.has(msg.type), `waiting page received ${JSON.stringify(msg)}`);
  }
  assert.equal(await page.locator('figure.tile').count(), 0, 'tiles on the waiting page');
}

async function admit(host, name) {
  const queue = host.getByRole('region', { name: 'Waiting room' });
  await queue.getByRole('button', { name: `Admit ${name}` }).click({ timeout: 20_000 });
}

async function startConsultation(dashboard, appointment) {
  await dashboard.locator(`li[data-appointment-id="${appointment.id}"]`).getByRole('button', { name: 'Start consultation' }).click();
  await dashboard.waitForURL(/\/consult\//);
  await dashboard.getByRole('button', { name: 'Join', exact: true }).click();
  await waitForState(dashboard, 'in_call');
  await dashboard.getByRole('region', { name: 'Waiting room' }).waitFor();
}

test('issue 4: sign-in with TOTP, appointment, waiting room, admit, call, chat, interpreter, end', { timeout: 240_000 }, async (t) => {
  try {
    const doc = await createPractitioner(server);
    const host = await signIn(browser, server, doc);
    pages.push(host);
    host.displayName = 'host';
    const appt = await createAppointment(host, { title: 'Follow-up Anna' });
    assert.match(appt.link, /\/join\?t=t_[0-9a-f]+#i=/);  // the practice (terms link, K10), then the token
    assert.match(appt.code ?? '', /^\d{9}$/);

    // The patient opens the link; the token leaves the address bar at once.
    const patient = await openInvitation(browser, appt.link, 'Anna Schmidt');
    pages.push(patient);
    assert.ok(!patient.url().includes('#i='), `token still in the address bar: ${patient.url()}`);
    await passDeviceCheck(patient);
    await joinAndWait(patient);
    await patient.getByText('You are number 1 in line').waitFor();

    // The host opens the call view; the patient still sees and receives nothing of it.
    await startConsultation(host, appt);
    await admitQueueShows(host, 'Anna Schmidt');
    await assertWaitingIsBlind(patient, [doc.email, await participantId(host)]);

    await admit(host, 'Anna Schmidt');
    await waitForState(patient, 'in_call');
    await Promise.all([waitForRemoteMedia(host), waitForRemoteMedia(patient)]);
    await waitForTileFrames(host, await participantId(patient));
    await waitForTileFrames(patient, await participantId(host));
    await host.getByRole('figure', { name: 'Video of Anna Schmidt' }).waitFor();
    await host.getByRole('button', { name: 'Mute Anna Schmidt' }).waitFor();
    await host.getByRole('button', { name: 'Remove Anna Schmidt' }).waitFor();

    // Chat both ways, with sender names.
    await sendChat(patient, 'Good morning, my knee is better.');
    await host.getByRole('region', { name: 'Chat' }).getByText('Good morning, my knee is better.').waitFor();
    await host.getByRole('region', { name: 'Chat' }).getByText(/^Anna Schmidt, /).waitFor();
    await sendChat(host, 'Glad to hear it, Anna.');
    await patient.getByRole('region', { name: 'Chat' }).getByText('Glad to hear it, Anna.').waitFor();
    const counter = patient.getByText(/of 2000 characters/);
    await patient.getByLabel('Message').fill('x'.repeat(12));
    assert.equal(await counter.innerText(), '12 of 2000 characters');
    await patient.getByLabel('Message').fill('');

    // An interpreter: a second invitation from the dashboard (another tab, same sign-in).
    const dashboard = await host.context().newPage();
    dashboard.displayName = 'dashboard';
    dashboard.consoleMessages = [];
    dashboard.requests = [];
    dashboard.on('request', (req) => dashboard.requests.push(req.url()));
    pages.push(dashboard);
    await dashboard.goto(`${server.baseUrl}/dashboard`);
    const card = dashboard.locator(`li[data-appointment-id="${appt.id}"]`);
    await card.getByRole('button', { name: 'Invite interpreter' }).click();
    await card.getByRole('button', { name: 'Copy interpreter link' }).waitFor();
    const interpreterLink = await card.getByLabel('Interpreter link').inputValue();
    assert.notEqual(interpreterLink, appt.link);

    const interpreter = await openInvitation(browser, interpreterLink, 'Ivan Petrov');
    pages.push(interpreter);
    await passDeviceCheck(interpreter);
    await joinAndWait(interpreter);
    await assertWaitingIsBlind(interpreter, ['Anna Schmidt', doc.email, await participantId(patient), await participantId(host)]);
    await admitQueueShows(host, 'Ivan Petrov');
    await admit(host, 'Ivan Petrov');
    await waitForState(interpreter, 'in_call');
    await waitFor(async () => (await inboundStats(interpreter)).video.streams >= 2, { timeoutMs: 20_000, what: 'the interpreter to receive two videos' });
    await waitForRemoteMedia(interpreter);
    await waitForTileFrames(interpreter, await participantId(patient));
    await waitForTileFrames(interpreter, await participantId(host));
    await patient.getByRole('figure', { name: 'Video of Ivan Petrov' }).waitFor();

    // The host ends the consultation for everyone.
    await host.getByRole('button', { name: 'End consultation' }).click();
    const dialog = host.getByRole('dialog', { name: 'End the consultation for everyone?' });
    await dialog.getByRole('button', { name: 'End for everyone' }).click();
    for (const page of [patient, interpreter]) {
      await page.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 15_000 });
      assert.equal(await state(page), 'ended');
    }

    // The patient link is dead now: a new visitor with it gets a plain refusal.
    const late = await openInvitation(browser, appt.link, 'Anna Schmidt');
    pages.push(late);
    await late.getByRole('button', { name: 'Join', exact: true }).click();
    await late.getByRole('alert').getByText(/no longer valid|already been used|expired/).waitFor({ timeout: 15_000 });
    assert.notEqual(await state(late), 'waiting');
    assert.equal(await late.evaluate(() => window.__medrtc.publisher), null);

    for (const page of pages) {
      assertNoForeignRequests(page, server.baseUrl);
    }
  } catch (err) {
    diagnostics(t);
    throw err;
  } finally {
    await closePages(pages.splice(0));
  }
});

test('issue 4: a server restart in the middle of the waiting period', { timeout: 180_000 }, async (t) => {
  try {
    const doc = await createPractitioner(server, { name: 'Praxis Restart' });
    const host = await signIn(browser, server, doc);
    host.displayName = 'host (restart)';
    pages.push(host);
    const appt = await createAppointment(host, { title: 'Restart check' });
    await startConsultation(host, appt);

    const patient = await openInvitation(browser, appt.link, 'Rita Restart');
    pages.push(patient);
    await passDeviceCheck(patient);
    await joinAndWait(patient);
    await admitQueueShows(host, 'Rita Restart');

    await server.restart();
    // Both pages come back on their own with the same tokens; the patient waits again.
    await waitForState(patient, 'waiting', 40_000);
    await patient.getByText('You are number 1 in line').waitFor({ timeout: 20_000 });
    await waitForState(host, 'in_call', 40_000);
    await admitQueueShows(host, 'Rita Restart');
    await assertWaitingIsBlind(patient, [doc.email, await participantId(host)]);

    await admit(host, 'Rita Restart');
    await waitForState(patient, 'in_call');
    await Promise.all([waitForRemoteMedia(host), waitForRemoteMedia(patient)]);
    await sendChat(host, 'Welcome back.');
    await patient.getByRole('region', { name: 'Chat' }).getByText('Welcome back.').waitFor();
  } catch (err) {
    diagnostics(t);
    throw err;
  } finally {
    await closePages(pages.splice(0));
  }
});

test('German and French: language from the browser, switch by the labelled select, kept on reload', { timeout: 60_000 }, async () => {
  // The browser asks for French: the sign-in page is French.
  const context = await browser.newContext({ locale: 'fr-FR' });
  const fr = await context.newPage();
  fr.displayName = 'fr';
  pages.push(fr);
  await fr.goto(`${server.baseUrl}/login`);
  assert.equal(await fr.evaluate(() => document.documentElement.lang), 'fr');
  await fr.getByLabel('E-mail').waitFor();
  await fr.getByLabel('Mot de passe').waitFor();
  await fr.getByRole('button', { name: 'Se connecter' }).waitFor();

  // Switch to German with the select named "Langue"; the choice is kept.
  await fr.getByRole('combobox', { name: 'Langue' }).selectOption('de');
  await fr.getByRole('button', { name: 'Anmelden' }).waitFor();
  await fr.getByLabel('E-Mail').waitFor();
  await fr.getByLabel('Passwort').waitFor();
  assert.equal(await fr.evaluate(() => document.documentElement.lang), 'de');
  await fr.goto(`${server.baseUrl}/join`);
  await fr.getByRole('combobox', { name: 'Sprache' }).waitFor();
  await fr.getByLabel('Code', { exact: true }).fill('123');
  await fr.getByRole('button', { name: 'Weiter' }).click();
  await fr.getByRole('alert').getByText('Bitte geben Sie den 9-stelligen Code ein.').waitFor();

  // A patient link in German: name, device check, join button, all German.
  await fr.goto(`${server.baseUrl}/login`);
  await fr.goto(`${server.baseUrl}/join#i=not-a-real-token`);
  await fr.getByLabel('Ihr Name').waitFor();
  await fr.getByRole('heading', { name: 'Kamera, Mikrofon und Verbindung prüfen' }).waitFor();
  await fr.getByRole('meter', { name: 'Mikrofonpegel' }).waitFor();
  await fr.getByRole('button', { name: 'Beitreten' }).waitFor();
  // The link token survives the language switch (kept for this tab across the reload).
  await fr.getByRole('combobox', { name: 'Sprache' }).selectOption('fr');
  await fr.getByLabel('Votre nom').fill('Zoé');
  await fr.getByRole('button', { name: 'Rejoindre' }).click();
  await fr.getByRole('alert').getByText('Ce lien ou ce code est introuvable', { exact: false }).waitFor({ timeout: 15_000 });
  await context.close();
  pages.splice(0);
});

async function admitQueueShows(host, name) {
  await host.getByRole('region', { name: 'Waiting room' }).getByRole('button', { name: `Admit ${name}` }).waitFor({ timeout: 30_000 });
}

async function sendChat(page, text) {
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByLabel('Message').fill(text);
  await chat.getByRole('button', { name: 'Send' }).click();
}
