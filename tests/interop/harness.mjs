// Assertions shared by the interop tests: media from one werift peer reaching another,
// with the sender's marker in every payload, and clean teardown.
import assert from 'node:assert/strict';
import { waitFor } from './wait.mjs';

export const MEDIA_TIMEOUT_MS = 20000;
const KINDS = ['audio', 'video'];

/**
 * Waits until `receiver` got at least `min` audio and `min` video RTP packets attributed
 * (by a=msid) to `sender`, then checks that every payload carried `sender`'s marker.
 */
export async function expectMediaFrom(receiver, sender, { min = 50, timeout = MEDIA_TIMEOUT_MS } = {}) {
  await waitFor(() => KINDS.every((kind) => receiver.packetsFrom(sender.participantId, kind) >= min), {
    timeout,
    message: () => `${min} audio and ${min} video packets from ${sender.participantId} at ${receiver.participantId}\n` +
      `  receiver: ${receiver.describe()}\n  sender:   ${sender.describe()} sent audio=${sender.sentPackets('audio')} video=${sender.sentPackets('video')}`,
  });
  expectOnlyMarkersOf(receiver, sender);
}

/** Every packet `receiver` attributes to `sender` carries `sender`'s marker and kind. */
export function expectOnlyMarkersOf(receiver, sender) {
  for (const kind of KINDS) {
    const s = receiver.receivedFrom(sender.participantId, kind);
    assert.deepEqual([...s.markers.keys()], [sender.markerId],
      `${kind} from ${sender.participantId} at ${receiver.participantId}: payload markers ${JSON.stringify([...s.markers])} (sender marker ${sender.markerId})`);
    assert.equal(s.wrongKind, 0, `${kind} m-line from ${sender.participantId} carried ${s.wrongKind} packets of the other kind`);
    assert.equal(s.unmarked, 0, `${kind} from ${sender.participantId}: ${s.unmarked} packets without the sender's marker (payload altered?)`);
  }
}

/** Waits until the counters from `sender` at `receiver` grew by `more` packets for both kinds. */
export async function expectStillReceiving(receiver, sender, { more = 50, timeout = MEDIA_TIMEOUT_MS } = {}) {
  const start = Object.fromEntries(KINDS.map((kind) => [kind, receiver.packetsFrom(sender.participantId, kind)]));
  await waitFor(() => KINDS.every((kind) => receiver.packetsFrom(sender.participantId, kind) >= start[kind] + more), {
    timeout,
    message: () => `${more} more audio and video packets from ${sender.participantId} at ${receiver.participantId} ` +
      `(start ${JSON.stringify(start)})\n  receiver: ${receiver.describe()}\n  sender:   ${sender.describe()}`,
  });
  expectOnlyMarkersOf(receiver, sender);
}

/** Every participant `receiver` got RTP from is in `allowed` (peers). */
export function expectMediaOnlyFrom(receiver, allowed) {
  const allowedIds = allowed.map((p) => p.participantId);
  const extra = receiver.senders.filter((id) => !allowedIds.includes(id));
  assert.deepEqual(extra, [], `${receiver.participantId} received RTP from unexpected participants: ${receiver.describe()}`);
  const allowedMarkers = allowed.map((p) => p.markerId);
  for (const id of receiver.senders) {
    for (const kind of KINDS) {
      for (const marker of receiver.receivedFrom(id, kind).markers.keys()) {
        assert.ok(allowedMarkers.includes(marker), `${receiver.participantId} got ${kind} with foreign marker ${marker} on ${id}'s track`);
      }
    }
  }
}

/** Closes every peer (leave), falling back to kill; never throws. */
export async function closeAll(peers) {
  await Promise.allSettled(peers.filter(Boolean).map((p) => p.close().catch(() => p.kill())));
}
