// Issue 13 item 3: "a participant whose key is not yet known shows as not yet secured".
// KBV node, two Chromium pages; Bob's page never gets Alice's media keys (the test drops
// every `e2ee_key` that carries one before the client sees it). Both still show the same
// security code (its commitment round travels in the other `e2ee_key` blobs, which
// arrive), Bob's tile of Alice says "not yet secured", Alice's tile of Bob does not (Bob's
// key reached her).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickJoin, joinCall, participantId } from '../support/call-page.mjs';
import { withDiagnostics, useCallSuite } from '../support/call-suite.mjs';
import { waitForSameCode } from '../support/e2ee.mjs';
import { createRoom, waitFor } from '../support/server.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // this file's process only: the node's self-signed certificate

const suite = useCallSuite({ serverOptions: { workers: 1, args: ['--policy', 'kbv', '--region', 'eu-de', '--tls-self-signed'] }, browserArgs: ['--ignore-certificate-errors'] });

function tileBadge(page, id) {
  return page.locator(`figure.tile.remote[data-participant-id="${id}"]`).getByText('not yet secured');
}

test('a participant whose key has not reached us shows "not yet secured"', { timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const alice = await joinCall(suite.browser, suite.server, roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  suite.pages.push(alice);
  const bob = await joinCall(suite.browser, suite.server, roomId, { identity: 'patient-1', name: 'Patient One', join: false });
  suite.pages.push(bob);
  await bob.evaluate(() => {
    // The socket is made at "Join": hand the client every message but the media key
    // messages. The blobs are opaque; a media key ({kid, gen, key}, at most 65 bytes
    // sealed: 119 base64url characters) is shorter than any commitment-round message
    // ({sas, seq, hash or nonce, …}, at least 146), so the length tells them apart.
    const isMediaKey = (data) => {
      const m = /"ciphertext":"([A-Za-z0-9_-]+)"/.exec(String(data));
      return String(data).includes('"type":"e2ee_key"') && m !== null && m[1].length < 130;
    };
    window.WebSocket = new Proxy(window.WebSocket, {
      construct(target, args) {
        const ws = Reflect.construct(target, args);
        const add = ws.addEventListener.bind(ws);
        ws.addEventListener = (type, fn, opts) => add(type, type === 'message'
          ? (ev) => { if (!isMediaKey(ev.data)) fn(ev); }
          : fn, opts);
        return ws;
      },
    });
  });
  await clickJoin(bob);
  const [aliceId, bobId] = [await participantId(alice), await participantId(bob)];

  await waitForSameCode([alice, bob]);
  await tileBadge(bob, aliceId).waitFor({ state: 'visible', timeout: 10_000 });
  await waitFor(async () => (await alice.evaluate((id) => window.__medrtc.e2ee?.secured[id], bobId)) === true, { what: "Bob's key to reach Alice" });
  assert.equal(await tileBadge(alice, bobId).isVisible(), false, "Alice's tile of Bob is secured");
  assert.equal(await bob.evaluate((id) => window.__medrtc.e2ee?.secured[id], aliceId), false);
}));
