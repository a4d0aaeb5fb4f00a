// The web client's chat in an end-to-end encrypted room (web/src/call/e2ee/chat-policy.ts,
// used by web/src/call/chat.ts), in node: only `ciphertext` is decrypted and shown; a
// `chat` with clear `text` (and no ciphertext) is dropped, never displayed. Outside E2EE
// the text is shown as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadE2eeModule } from '../support/e2ee.mjs';

test('in an E2EE room a chat message without ciphertext is dropped, never shown', async () => {
  const { chatDisposition } = await loadE2eeModule('chat-policy');
  assert.equal(chatDisposition(true, { text: 'injected by the server' }), 'drop');
  assert.equal(chatDisposition(true, {}), 'drop');
  assert.equal(chatDisposition(true, { ciphertext: 'AAAA' }), 'decrypt');
  assert.equal(chatDisposition(true, { text: 'clear too', ciphertext: 'AAAA' }), 'decrypt', 'the ciphertext is what counts; the text is never shown');
  assert.equal(chatDisposition(false, { text: 'hello' }), 'show_text');
});
