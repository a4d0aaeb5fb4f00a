// Issue 12 items 6-7 in Chromium: in a 3-party call the server names an active speaker
// from the RFC 6464 audio levels and every page highlights that one tile (aria-current
// and a "Speaking" badge, not colour alone); the host sees "Connection: good" on each
// remote tile of an open loopback link, and guests see no quality indicator at all.
// Chromium's fake microphone plays the same beep on every page, so which participant
// speaks is not asserted, only that one is named and every page agrees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinCall, participantId, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { waitFor } from '../support/server.mjs';

const suite = useCallSuite();

/** The participant ids whose tile the page highlights (the local tile counts as `self`). */
async function highlighted(page) {
  return page.evaluate(() => [...document.querySelectorAll('figure.tile[aria-current="true"]')].map((tile) => ({
    id: tile.classList.contains('local') ? window.__medrtc.participantId : tile.dataset.participantId,
    badge: tile.querySelector('.badge.speaking')?.textContent ?? '',
  })));
}

test('active speaker is announced and highlighted; the host sees the network quality', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { roomId, alice, bob } = await startTwoPartyCall(suite);  // Alice hosts
  const carol = await joinCall(suite.browser, suite.server, roomId, { identity: 'carol', name: 'Carol' });
  suite.pages.push(carol);
  const ids = { alice: await participantId(alice), bob: await participantId(bob), carol: await participantId(carol) };
  await waitForTileFrames(carol, ids.alice);
  await waitForTileFrames(alice, ids.carol);

  // Active speaker: one tile per page, the same participant everywhere, with its badge.
  const pages = [alice, bob, carol];
  const named = await waitFor(async () => {
    const seen = await Promise.all(pages.map(highlighted));
    if (!seen.every((list) => list.length === 1)) {
      return null;
    }
    const speaker = seen[0][0].id;
    return seen.every((list) => list[0].id === speaker && list[0].badge === 'Speaking') ? speaker : null;
  }, { timeoutMs: 30_000, what: 'every page to highlight the same active speaker' });
  assert.ok(Object.values(ids).includes(named), `active speaker ${named} is one of the three`);

  // Network quality: the host's remote tiles say "Connection: good" within a report or two.
  for (const name of ['Bob', 'Carol']) {
    await alice.getByRole('figure', { name: `Video of ${name}` }).getByText('Connection: good').waitFor({ timeout: 20_000 });
  }
  const figures = await alice.evaluate(() => window.__medrtc.networkQuality);
  for (const id of [ids.alice, ids.bob, ids.carol]) {
    assert.ok(figures[id], `no network_quality entry for ${id}: ${JSON.stringify(figures)}`);
  }
  t.diagnostic(`network_quality on an open link: ${JSON.stringify(Object.values(figures))}`);
  // Guests are not told about the others' links.
  for (const guest of [bob, carol]) {
    assert.equal(await guest.locator('.badge.quality').count(), 0, `${guest.displayName} shows a quality indicator`);
  }
  assertPagesClean(suite);
}));
