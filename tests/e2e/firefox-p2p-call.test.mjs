// Issue 11 item 4: a 1:1 call between Firefox and Chromium on a KBV node runs browser to
// browser (docs/p2p.md), as p2p-call.test.mjs does with two Chromium pages: both pages are
// in p2p mode, each decodes the other's video and receives the other's audio on the
// direct connection, the two selected candidate pairs mirror each other (not the server's
// media port), and the server never gets a publish for the room. A third participant then
// moves the room to the SFU, Firefox included. Neither browser has a flag that changes ICE;
// Firefox has only the fake-media preferences (support/firefox.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { joinCallFirefox, launchFirefox } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, closePages, joinCall, participantId, selectedPair, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { p2pCertificates, waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

// The REST helpers use fetch against the self-signed certificate of this test's server;
// node --test runs each file in its own process, so this stays inside this file.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const suite = { server: null, browser: null, firefox: null, pages: [] };
before(async () => {
  suite.server = await startServer({ workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] });
  suite.browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
  suite.firefox = await launchFirefox({ acceptInsecureCerts: true });
});
after(async () => {
  await closePages(suite.pages);
  await suite.browser?.close();
  await suite.firefox?.close();
  await suite.server?.stop();
});

async function mediaMode(page) {
  return page.evaluate(() => window.__medrtc.mediaMode);
}

test('a 1:1 call under KBV runs browser to browser between Firefox and Chromium; a third moves it to the SFU', { timeout: 180_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser, firefox } = suite;
  const mediaPort = Number(/media_worker_listening worker=0 udp=[\d.]+:(\d+)/.exec(server.logs())?.[1]);
  assert.ok(mediaPort > 0, 'the server logs its media port');

  const roomId = await createRoom(server);
  const doctor = await joinCall(browser, server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(doctor);
  const patient = await joinCallFirefox(firefox, server, roomId, { identity: 'patient-1', name: 'Patient One' });
  suite.pages.push(patient);

  for (const page of [doctor, patient]) {
    await waitFor(async () => (await mediaMode(page)) === 'p2p', { what: `${page.displayName} in p2p mode` });
  }
  const [onChromium, onFirefox] = await Promise.all([waitForRemoteMedia(doctor), waitForRemoteMedia(patient)]);
  t.diagnostic(`chromium receives ${JSON.stringify(onChromium)}; firefox receives ${JSON.stringify(onFirefox)}`);
  await waitForTileFrames(doctor, await participantId(patient));
  await waitForTileFrames(patient, await participantId(doctor));
  await doctor.getByRole('figure', { name: 'Video of Patient One' }).waitFor();
  await patient.getByRole('figure', { name: 'Video of Dr Weber' }).waitFor();
  // KBV is E2EE: both show one security code, over both DTLS fingerprints (docs/e2ee.md).
  t.diagnostic(`security code ${await waitForSameCode([doctor, patient])}`);
  // The code is over the certificates DTLS really uses: Chromium reports them in getStats,
  // and each side's description names the one certificate the other connects to.
  const [onDoctor, onPatient] = [await p2pCertificates(doctor), await p2pCertificates(patient)];
  t.diagnostic(`certificates: chromium ${JSON.stringify(onDoctor)}; firefox ${JSON.stringify(onPatient)}`);
  assert.ok(onDoctor.used.local && onDoctor.used.remote, 'Chromium reports both certificates');
  assert.deepEqual(onDoctor.described.remote, [onDoctor.used.remote], "Firefox's description names only the certificate it presents");
  assert.deepEqual(onPatient.described.remote, [onDoctor.used.local]);
  if (onPatient.used.remote) {
    assert.equal(onPatient.used.remote, onDoctor.used.local, "Firefox's DTLS ends at Chromium's certificate");
  }

  // The selected pairs mirror each other: the media goes browser to browser.
  const [d, p] = [await selectedPair(doctor), await selectedPair(patient)];
  t.diagnostic(`chromium pair ${JSON.stringify(d)}; firefox pair ${JSON.stringify(p)}; server media port ${mediaPort}`);
  assert.ok(d && p, 'both P2P connections have a selected candidate pair');
  assert.notEqual(d.remote.port, mediaPort);
  assert.notEqual(p.remote.port, mediaPort);
  assert.equal(d.remote.port, p.local.port);
  assert.equal(p.remote.port, d.local.port);

  // Nothing went through the server's media plane.
  for (const page of [doctor, patient]) {
    const pcs = await page.evaluate(() => ({ publisher: window.__medrtc.publisher, subscriber: window.__medrtc.subscriber }));
    assert.deepEqual(pcs, { publisher: null, subscriber: null }, `${page.displayName} used the SFU`);
  }
  assert.doesNotMatch(server.logs(), new RegExp(`media_publish room=${roomId}`));
  assert.match(server.logs(), new RegExp(`media_mode room=${roomId} mode=p2p`));

  // Mute in Firefox shows on the Chromium side (signaling, not media).
  await patient.getByRole('button', { name: 'Mute' }).click();
  const patientTile = doctor.getByRole('figure', { name: 'Video of Patient One' });
  await patientTile.getByText('Microphone off').waitFor({ state: 'visible', timeout: 10_000 });
  await patient.getByRole('button', { name: 'Mute' }).click();

  // A third participant (Chromium): the room moves to the SFU; Firefox drops its direct
  // connection, publishes to the server and decodes both others.
  const carol = await joinCall(browser, server, roomId, { identity: 'carol', name: 'Carol Interpreter' });
  suite.pages.push(carol);
  for (const page of [doctor, patient, carol]) {
    await waitFor(async () => (await mediaMode(page)) === 'sfu', { what: `${page.displayName} in sfu mode` });
  }
  const [doctorId, patientId, carolId] = [await participantId(doctor), await participantId(patient), await participantId(carol)];
  await waitForTileFrames(patient, carolId);
  await waitForTileFrames(patient, doctorId, { minFrames: 0 });
  await waitForTileFrames(carol, patientId);
  await waitForTileFrames(doctor, patientId, { minFrames: 0 });
  await waitForRemoteMedia(patient);
  assert.equal(await patient.evaluate(() => window.__medrtc.p2p), null, 'Firefox kept its P2P connection');

  for (const page of suite.pages) {
    assertNoForeignRequests(page, server.baseUrl);
    assertNoClientErrors(page);
  }
}));
