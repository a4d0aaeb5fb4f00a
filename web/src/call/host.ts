// The host's part of a consultation call: the "Waiting room" region (names and roles of
// the people the server holds back, with "Admit <name>" / "Deny <name>"), "Mute <name>"
// and "Remove <name>" on each participant's tile, and "End consultation" behind a
// confirm dialog. The server enforces all of it; this is only the host's view.
import { h } from '../dom';
import { t } from '../i18n';
import { confirmDialog } from '../ui/dialog';
import { formatTime } from '../time';
import type { Participant, QueueEntry, ServerMessage } from './protocol';
import type { Session, SessionExtension } from './session';
import type { CallUi } from './ui';

export class HostControls implements SessionExtension {
  private readonly list = h('ul', { class: 'queue-list' });
  private readonly summary = h('p', { class: 'queue-summary', 'aria-live': 'polite' }, t.queueEmpty);
  readonly region = h(
    'section',
    { class: 'panel queue', 'aria-labelledby': 'queue-title' },
    h('h2', { id: 'queue-title' }, t.queueRegion),
    this.summary,
    this.list,
  );
  readonly endButton = h('button', { type: 'button', class: 'btn danger control' }, t.endConsultation);
  private queue: QueueEntry[] = [];

  constructor(private readonly session: Session, private readonly ui: CallUi) {
    ui.side.prepend(this.region);
    ui.controls.append(this.endButton);
    this.endButton.addEventListener('click', () => void this.confirmEnd());
  }

  onMessage(msg: ServerMessage): boolean {
    if (msg.type !== 'waiting_room') {
      return false;
    }
    this.setQueue(Array.isArray(msg.queue) ? msg.queue : []);
    return true;
  }

  onParticipant(p: Participant): void {
    const name = p.name || t.guest;
    const mute = h('button', { type: 'button', class: 'btn small' }, t.muteParticipant(name));
    const remove = h('button', { type: 'button', class: 'btn small danger' }, t.removeParticipant(name));
    mute.addEventListener('click', () => {
      this.session.send({ type: 'mute_participant', participant_id: p.participant_id, kind: 'audio' });
    });
    remove.addEventListener('click', () => {
      this.session.send({ type: 'remove_participant', participant_id: p.participant_id });
      this.ui.setStatus(t.removed(name));
    });
    this.ui.setTileActions(p.participant_id, [mute, remove]);
  }

  onCallOver(): void {
    this.setQueue([]);
  }

  private setQueue(queue: QueueEntry[]): void {
    const before = new Set(this.queue.map((e) => e.participant_id));
    this.queue = queue;
    this.list.replaceChildren(...queue.map((entry) => this.row(entry)));
    this.summary.textContent = queue.length === 0 ? t.queueEmpty : t.queueCount(queue.length);
    const arrived = queue.filter((e) => !before.has(e.participant_id));
    if (arrived.length > 0) {
      this.ui.setStatus(arrived.map((e) => t.queueArrived(e.name || t.guest)).join(' '));
    }
  }

  private row(entry: QueueEntry): HTMLElement {
    const name = entry.name || t.guest;
    const admit = h('button', { type: 'button', class: 'btn primary small' }, t.admit(name));
    const deny = h('button', { type: 'button', class: 'btn secondary small' }, t.deny(name));
    admit.addEventListener('click', () => {
      admit.disabled = true;
      deny.disabled = true;
      this.session.send({ type: 'admit', participant_id: entry.participant_id });
      this.ui.setStatus(t.admitted(name));
    });
    deny.addEventListener('click', () => {
      admit.disabled = true;
      deny.disabled = true;
      this.session.send({ type: 'deny', participant_id: entry.participant_id });
      this.ui.setStatus(t.denied(name));
    });
    const since = entry.waiting_since !== undefined ? t.queueSince(formatTime(entry.waiting_since)) : '';
    return h(
      'li',
      { class: 'queue-entry', 'data-participant-id': entry.participant_id },
      h('span', { class: 'queue-name' }, name),
      h('span', { class: 'queue-role' }, [t.roles[entry.role] ?? t.roles.guest, since].filter(Boolean).join(', ')),
      h('span', { class: 'button-row' }, admit, deny),
    );
  }

  private async confirmEnd(): Promise<void> {
    const ok = await confirmDialog(t.endConfirmTitle, t.endConfirmText, t.endForEveryone, t.cancel);
    if (!ok) {
      this.endButton.focus();
      return;
    }
    this.session.send({ type: 'end_consultation' });
  }
}
