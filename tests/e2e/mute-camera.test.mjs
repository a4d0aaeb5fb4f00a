// (c) "Mute" and "Camera off" are toggle buttons (aria-pressed), disable the local track,
// and the other side sees the muted state on the tile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite();

async function localTrackEnabled(page, kind) {
  return page.evaluate((k) => {
    const pc = window.__medrtc.publisher;
    const sender = pc?.getSenders().find((s) => s.track?.kind === k);
    return sender?.track?.enabled;
  }, kind);
}

test('mute and camera off toggle and show on the other side', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite);

  const mute = alice.getByRole('button', { name: 'Mute' });
  const camera = alice.getByRole('button', { name: 'Camera off' });
  const aliceTileOnBob = bob.getByRole('figure', { name: 'Video of Alice' });
  assert.equal(await mute.getAttribute('aria-pressed'), 'false');
  assert.equal(await camera.getAttribute('aria-pressed'), 'false');
  assert.equal(await aliceTileOnBob.getByText('Microphone off').isVisible(), false);

  await mute.click();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  assert.equal(await localTrackEnabled(alice, 'audio'), false);
  await aliceTileOnBob.getByText('Microphone off').waitFor({ state: 'visible', timeout: 10_000 });

  await camera.click();
  assert.equal(await camera.getAttribute('aria-pressed'), 'true');
  assert.equal(await localTrackEnabled(alice, 'video'), false);
  await aliceTileOnBob.getByText('Camera off').waitFor({ state: 'visible', timeout: 10_000 });

  // Keyboard works too: focus the button and press Space.
  await mute.focus();
  await alice.keyboard.press('Space');
  assert.equal(await mute.getAttribute('aria-pressed'), 'false');
  assert.equal(await localTrackEnabled(alice, 'audio'), true);
  await aliceTileOnBob.getByText('Microphone off').waitFor({ state: 'hidden', timeout: 10_000 });

  await camera.click();
  assert.equal(await camera.getAttribute('aria-pressed'), 'false');
  await aliceTileOnBob.getByText('Camera off').waitFor({ state: 'hidden', timeout: 10_000 });
  await waitFor(async () => (await localTrackEnabled(alice, 'video')) === true, { what: 'video track enabled again' });

  assertPagesClean(suite);
}));
