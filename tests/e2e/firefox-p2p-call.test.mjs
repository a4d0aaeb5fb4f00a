// Issue 11 item 4: a 1:1 call between Firefox and Chromium on a KBV node runs browser to
// browser (docs/p2p.md), as p2p-call.test.mjs does with two Chromium pages: both pages are
// in p2p mode, each decodes the other's video and receives the other's audio on the
// direct connection, the two selected candidate pairs mirror each other (not the server's
// media port), and the server never gets a publish for the room. A third participant then
// moves the room to the SFU, Firefox included. Neither browser has a flag that changes ICE;
// Firefox has only the fake-media preferences (support/firefox.mjs). Firefox keeps a
// relayed description as it came (Chromium rewrites it): one with the genuine fingerprint
// at session level and a forged one on every m-line makes Firefox read "Not secure", and the
// two screens never show one code (docs/e2ee.md "Security code").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { joinCallFirefox, launchFirefox, newFirefoxCallPage } from '../support/firefox.mjs';
import {
  assertNoClientErrors, assertNoForeignRequests, clickJoin, closePages, joinCall, participantId, selectedPair, waitForRemoteMedia, waitForTileFrames,
} from '../support/call-page.mjs';
import { withDiagnostics } from '../support/call-suite.mjs';
import { p2pCertificates, securityCode, waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, createToken, startServer, waitFor } from '../support/server.mjs';

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

/** In a page: `p2p_failed` never leaves it, as a server in the middle would keep the broken direct path. */
function dropP2pFailed() {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function sendUnlessP2pFailed(data) {
    return typeof data === 'string' && data.includes('"p2p_failed"') ? undefined : send.call(this, data);
  };
}

/**
 * In a page: every description it is handed keeps the sender's genuine fingerprint at
 * session level and names a forged one on every m-line, as a server relaying it could
 * (p2p.ts hands the relayed SDP to setRemoteDescription unchanged, so this is the same).
 */
function relayForgedMediaFingerprints() {
  const forged = `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'CD').join(':')}`;
  const set = RTCPeerConnection.prototype.setRemoteDescription;
  window.__relayedSdp = [];
  RTCPeerConnection.prototype.setRemoteDescription = function setRelayed(desc, ...rest) {
    if (!desc?.sdp?.includes('a=fingerprint:')) {
      return set.call(this, desc, ...rest);
    }
    const lines = desc.sdp.split('\r\n');
    const genuine = lines.find((l) => l.startsWith('a=fingerprint:'));
    const out = [];
    for (const line of lines.filter((l) => !l.startsWith('a=fingerprint:'))) {
      if (line.startsWith('m=') && !out.some((l) => l.startsWith('m='))) {
        out.push(genuine);
      }
      out.push(line);
      if (line.startsWith('m=')) {
        out.push(forged);
      }
    }
    window.__relayedSdp.push(out.join('\r\n'));
    return set.call(this, { type: desc.type, sdp: out.join('\r\n') }, ...rest);
  };
}

test('Firefox handed a description with the genuine fingerprint at session level and a forged one per m-line reads "Not secure", never the same code', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { server, browser, firefox } = suite;
  const roomId = await createRoom(server);
  const { join_url: joinUrl } = await createToken(server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  const doctor = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  doctor.displayName = 'Dr Weber';
  suite.pages.push(doctor);
  await doctor.addInitScript(dropP2pFailed);
  await doctor.goto(server.baseUrl + joinUrl);
  await clickJoin(doctor);
  const { join_url: patientUrl } = await createToken(server, roomId, { identity: 'patient-1', name: 'Patient One' });
  const patient = await newFirefoxCallPage(firefox, server.baseUrl + patientUrl, { goto: false });
  patient.displayName = 'Patient One';
  suite.pages.push(patient);
  await patient.addInitScript(dropP2pFailed);
  await patient.addInitScript(relayForgedMediaFingerprints);
  await patient.goto(server.baseUrl + patientUrl);
  await clickJoin(patient);

  await waitFor(async () => (await p2pCertificates(patient)).described.remote.length === 2, { what: 'Firefox to hold the rewritten description' });
  const [onDoctor, onPatient] = [await p2pCertificates(doctor), await p2pCertificates(patient)];
  t.diagnostic(`Firefox holds ${JSON.stringify(onPatient.described.remote)}; the doctor presents ${JSON.stringify(onDoctor.described.local)}`);
  // The hole this closes: Firefox's description names the doctor's genuine certificate first.
  assert.equal(onPatient.described.remote[0], onDoctor.described.local[0], "the first a=fingerprint Firefox holds is the doctor's genuine one");
  await waitFor(async () => (await securityCode(patient)) === 'Not secure', { timeoutMs: 20_000, what: 'Firefox to read "Not secure"' });
  const doctorId = await participantId(doctor);
  const reason = () => patient.evaluate((id) => document.querySelector(`figure.tile[data-participant-id="${id}"]`)?.textContent ?? '', doctorId);
  await waitFor(async () => (await reason()).includes('not secure: the connection does not end at this person’s browser'), { timeoutMs: 5_000, what: "the reason on the doctor's tile" });
  for (let i = 0; i < 6; i += 1) {
    const [d, p] = [await securityCode(doctor), await securityCode(patient)];
    t.diagnostic(`doctor ${d}; Firefox ${p}; connections ${await doctor.evaluate(() => window.__medrtc.p2p?.connectionState)} / ${await patient.evaluate(() => window.__medrtc.p2p?.connectionState)}`);
    assert.ok(!(/^\d{3} \d{3}$/.test(p ?? '') && d === p), 'the two screens never show the same code');
    assert.equal(p, 'Not secure');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}));
