// Call quality on the tiles (issue 12 items 6-7): the active speaker's tile is outlined
// and says "Speaking" (aria-current marks it for screen readers), and a host sees each
// participant's network quality as a dot with the words "Connection: good/fair/poor".
import { h } from '../dom';
import { debug } from './debug';
import { t } from '../i18n';
import type { NetworkQualityEntry, ServerMessage } from './protocol';
import type { SessionExtension } from './session';
import type { CallUi } from './ui';

export class CallQuality implements SessionExtension {
  private selfId: string | null = null;
  private speaker: string | null = null;

  constructor(private readonly ui: CallUi) {}

  onJoined(selfId: string): void {
    this.selfId = selfId;
  }

  onMessage(msg: ServerMessage): boolean {
    if (msg.type === 'active_speaker') {
      this.setSpeaker(msg.participant_id);
      return true;
    }
    if (msg.type === 'network_quality') {
      msg.participants.forEach((p) => this.setQuality(p));
      return true;
    }
    return false;
  }

  onParticipantLeft(participantId: string): void {
    if (this.speaker === participantId) {
      this.speaker = null;
    }
  }

  onCallOver(): void {
    this.setSpeaker(null);
  }

  private tileOf(participantId: string): HTMLElement | null {
    return this.ui.tileRoot(participantId === this.selfId ? null : participantId);
  }

  private setSpeaker(participantId: string | null): void {
    if (this.speaker !== null) {
      const old = this.tileOf(this.speaker);
      if (old) {
        old.classList.remove('speaking');
        old.removeAttribute('aria-current');
        old.querySelector('.badge.speaking')?.remove();
      }
    }
    this.speaker = participantId;
    const tile = participantId === null ? null : this.tileOf(participantId);
    if (!tile) {
      return;
    }
    tile.classList.add('speaking');
    tile.setAttribute('aria-current', 'true');
    tile.querySelector('.tile-caption')?.append(h('span', { class: 'badge speaking' }, t.speakingBadge));
  }

  private setQuality(entry: NetworkQualityEntry): void {
    debug.networkQuality[entry.participant_id] = entry;
    const tile = this.tileOf(entry.participant_id);
    if (!tile || !['good', 'fair', 'poor'].includes(entry.quality)) {
      return;
    }
    let badge = tile.querySelector<HTMLElement>('.badge.quality');
    if (!badge) {
      badge = h('span', { class: 'badge quality' });
      tile.querySelector('.tile-caption')?.append(badge);
    }
    const text = t.networkQuality(entry.quality);
    if (badge.dataset.quality !== entry.quality || badge.textContent !== text) {
      badge.dataset.quality = entry.quality;
      badge.textContent = text;
    }
  }
}
