// (d) DELETE /api/v1/rooms/{id} ends the call on every page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { deleteRoom } from '../support/server.mjs';

const suite = useCallSuite();

test('deleting the room shows "The consultation has ended" to everyone', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { roomId, alice, bob } = await startTwoPartyCall(suite);

  await deleteRoom(suite.server, roomId);

  for (const page of [alice, bob]) {
    await page.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__medrtc.state), 'ended');
    assert.equal(await page.getByRole('button', { name: 'Leave' }).count(), 0, 'call controls still shown');
    assert.equal(await page.evaluate(() => window.__medrtc.publisher), null);
  }
  assertPagesClean(suite, { clientErrors: false });
}));
