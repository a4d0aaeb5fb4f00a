// Camera/microphone problems: a plain message on the pre-join screen, and the person can
// still join with the microphone only or with no device at all; the others see that.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, newCallPage } from '../support/chromium.mjs';
import { assertNoForeignRequests, clickJoin, closePages, inboundStats, joinCall } from '../support/call-page.mjs';
import { createRoom, createToken, startServer, waitFor } from '../support/server.mjs';

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

/** Opens a join link in a page whose getUserMedia refuses `refuse` ('video' or 'all'). */
async function openWithDenied(roomId, identity, name, refuse) {
  const { join_url: joinUrl } = await createToken(server, roomId, { identity, name });
  const page = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  page.displayName = name;
  await page.addInitScript((mode) => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
      if (mode === 'all' || constraints?.video) {
        return Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      }
      return real(constraints);
    };
  }, refuse);
  await page.goto(server.baseUrl + joinUrl);
  pages.push(page);
  return page;
}

test('camera denied: plain error, join with microphone only, others hear and see "Camera off"', { timeout: 90_000 }, async () => {
  const roomId = await createRoom(server);
  const alice = await openWithDenied(roomId, 'alice', 'Alice', 'video');
  await alice.locator('main').getByText('Camera or microphone not available: access was not allowed').waitFor();
  await alice.getByRole('button', { name: 'Use microphone only' }).click();
  await alice.locator('main').getByText('You will join with your microphone only.').waitFor();
  await clickJoin(alice);
  assert.equal(await alice.getByRole('button', { name: 'Camera off' }).isDisabled(), true);

  const bob = await joinCall(browser, server, roomId, { identity: 'bob', name: 'Bob' });
  pages.push(bob);
  const aliceTile = bob.getByRole('figure', { name: 'Video of Alice' });
  await aliceTile.getByText('Camera off').waitFor({ state: 'visible', timeout: 10_000 });
  const first = await waitFor(async () => {
    const s = await inboundStats(bob);
    return s.audio.packetsReceived > 0 ? s : null;
  }, { what: 'Bob to receive Alice\'s audio' });
  await waitFor(async () => (await inboundStats(bob)).audio.packetsReceived > first.audio.packetsReceived, { what: 'audio to keep arriving' });
  for (const page of pages) {
    assertNoForeignRequests(page, server.baseUrl);
  }
});

test('no devices at all: can still join and watch', { timeout: 90_000 }, async () => {
  const roomId = await createRoom(server);
  const carol = await openWithDenied(roomId, 'carol', 'Carol', 'all');
  await carol.locator('main').getByText('Camera or microphone not available').waitFor();
  await carol.locator('main').getByText('You will join without camera and microphone.').waitFor();
  await clickJoin(carol);
  const dave = await joinCall(browser, server, roomId, { identity: 'dave', name: 'Dave' });
  pages.push(dave);
  // Carol receives Dave's video although she sends nothing.
  await waitFor(async () => (await inboundStats(carol)).video.framesDecoded > 10, { timeoutMs: 30_000, what: 'Carol to decode Dave\'s video' });
  const carolTile = dave.getByRole('figure', { name: 'Video of Carol' });
  await carolTile.getByText('Microphone off').waitFor({ state: 'visible', timeout: 10_000 });
  await carolTile.getByText('Camera off').waitFor({ state: 'visible', timeout: 10_000 });
});
