// In-call chat for admitted participants (not stored by the server): a "Chat" region with
// the messages (a log, so new ones are read out), a "Message" field with a character
// counter and "Send". Text goes in through textContent only. In an end-to-end encrypted
// room the text goes out and comes in as `ciphertext` under the sender's media key
// (e2ee/e2ee.ts); the server relays what it cannot read.
import { h } from '../dom';
import { t } from '../i18n';
import { formatTime } from '../time';
import { chatDisposition } from './e2ee/chat-policy';
import type { ChatMessage, ServerMessage } from './protocol';
import type { Session, SessionExtension } from './session';
import type { CallUi } from './ui';

export const CHAT_MAX = 2000;

export class Chat implements SessionExtension {
  private readonly log = h('ol', { class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-labelledby': 'chat-title' });
  private readonly empty = h('p', { class: 'chat-empty' }, t.chatEmpty);
  private readonly input = h('textarea', { id: 'chat-message', class: 'field-input chat-input', rows: '2', maxlength: String(CHAT_MAX), 'aria-describedby': 'chat-counter' });
  private readonly counter = h('p', { id: 'chat-counter', class: 'field-hint' }, t.chatCounter(0, CHAT_MAX));
  private readonly sendButton = h('button', { type: 'submit', class: 'btn primary' }, t.chatSend);
  readonly region = h(
    'section',
    { class: 'panel chat', 'aria-labelledby': 'chat-title' },
    h('h2', { id: 'chat-title' }, t.chatRegion),
    this.empty,
    this.log,
  );
  private selfId: string | null = null;
  private decrypting: Promise<void> = Promise.resolve();
  /** Clear `chat` messages dropped in an encrypted room (never shown). */
  droppedClear = 0;

  constructor(private readonly session: Session, ui: CallUi) {
    const form = h(
      'form',
      { class: 'chat-form' },
      h('label', { for: 'chat-message', class: 'field-label' }, t.chatMessage),
      this.input,
      this.counter,
      this.sendButton,
    );
    this.region.append(form);
    ui.side.append(this.region);
    this.input.addEventListener('input', () => this.updateCounter());
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = this.input.value.trim();
      if (!text || text.length > CHAT_MAX) {
        return;
      }
      void this.sendText(text);
      this.input.value = '';
      this.updateCounter();
    });
    this.updateCounter();
  }

  private async sendText(text: string): Promise<void> {
    const crypto = this.session.chatCrypto;
    if (!crypto) {
      this.session.send({ type: 'chat', text });
      return;
    }
    const ciphertext = await crypto.encryptChat(text);
    if (ciphertext !== null) {
      this.session.send({ type: 'chat', ciphertext });
    }
  }

  onJoined(selfId: string): void {
    this.selfId = selfId;
  }

  onMessage(msg: ServerMessage): boolean {
    if (msg.type !== 'chat') {
      return false;
    }
    const crypto = this.session.chatCrypto;
    const disposition = chatDisposition(crypto !== null, msg);
    if (disposition === 'drop') {
      this.droppedClear += 1;
      console.warn('medrtc e2ee: a chat message without ciphertext in an encrypted room; dropped');
      return true;
    }
    if (disposition === 'decrypt' && crypto && msg.ciphertext !== undefined) {
      // Decrypting is async: one after the other, so messages stay in the order they came.
      const ciphertext = msg.ciphertext;
      this.decrypting = this.decrypting
        .then(() => crypto.decryptChat(msg.from, ciphertext))
        .then((text) => this.show(msg, text));
      return true;
    }
    this.show(msg, msg.text ?? null);
    return true;
  }

  private show(msg: ChatMessage, text: string | null): void {
    const mine = msg.from === this.selfId;
    const name = mine ? t.you : msg.name || t.guest;
    const time = formatTime(msg.sent_at ?? Date.now());
    this.empty.hidden = true;
    this.log.append(
      h(
        'li',
        { class: mine ? 'chat-msg mine' : 'chat-msg' },
        h('p', { class: 'chat-meta' }, t.chatFrom(name, time)),
        h('p', { class: text === null ? 'chat-text unreadable' : 'chat-text' }, text ?? t.e2eeChatUnreadable),
      ),
    );
    this.log.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }

  private updateCounter(): void {
    const n = this.input.value.length;
    this.counter.textContent = t.chatCounter(n, CHAT_MAX);
    this.sendButton.disabled = n === 0 || n > CHAT_MAX;
  }
}
