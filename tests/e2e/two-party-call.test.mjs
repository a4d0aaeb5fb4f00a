// (a) Two people join one room through the web client and each decodes the other's video
// and receives the other's audio. Also: the token leaves the address bar, and no page
// talks to another origin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';

const suite = useCallSuite();

test('two participants see and hear each other', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite, {
    alice: { identity: 'dr-weber', name: 'Dr Weber', role: 'host' },
    bob: { identity: 'patient-1', name: 'Patient One' },
  });
  for (const page of [alice, bob]) {
    assert.ok(!page.url().includes('#t='), `token still in the address bar: ${page.url()}`);
  }
  const [aliceStats, bobStats] = await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  t.diagnostic(`alice: ${JSON.stringify(aliceStats)}`);
  t.diagnostic(`bob: ${JSON.stringify(bobStats)}`);

  // The frames land in the right tile (keyed by the msid participant id), captioned by name.
  await waitForTileFrames(alice, await participantId(bob));
  await waitForTileFrames(bob, await participantId(alice));
  await alice.getByRole('figure', { name: 'Video of Patient One' }).waitFor();
  await bob.getByRole('figure', { name: 'Video of Dr Weber' }).waitFor();

  assertPagesClean(suite);
}));
