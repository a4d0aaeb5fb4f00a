// What the chat does with an incoming `chat` message (docs/e2ee.md, Chat). In an end-to-end
// encrypted room only `ciphertext` is ever shown (decrypted); a `text` there came past the
// encryption (a server or client that should not have sent it) and is dropped, never shown
// as if it were as private as the rest.

export type ChatDisposition = 'decrypt' | 'show_text' | 'drop';

export function chatDisposition(e2eeRoom: boolean, msg: { text?: string; ciphertext?: string }): ChatDisposition {
  if (e2eeRoom) {
    return msg.ciphertext !== undefined ? 'decrypt' : 'drop';
  }
  return 'show_text';
}
