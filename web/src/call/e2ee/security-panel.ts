// What a doctor checks in an end-to-end encrypted call: the security code (the same 6
// digits on every screen while nobody sits in the middle) with its one-line explanation,
// a "not yet secured" badge on each tile whose participant's key has not reached us, and,
// when someone's part of the code did not check out (commitment.ts), "Not secure" in
// place of the code and the reason on that participant's tile.
import { h } from '../../dom';
import { t } from '../../i18n';
import type { CallUi } from '../ui';
import type { SasFailure } from './commitment';
import type { E2ee } from './e2ee';

const WHY: Record<SasFailure, () => string> = {
  reveal: () => t.e2eeWhyReveal,
  changed: () => t.e2eeWhyChanged,
  fingerprint: () => t.e2eeWhyFingerprint,
  restarts: () => t.e2eeWhyRestarts,
};

export class SecurityPanel {
  private readonly code = h('p', { class: 'sas-code', id: 'sas-code', 'aria-live': 'polite', 'aria-atomic': 'true' }, t.e2eeCodePending);
  readonly region = h(
    'section',
    { class: 'panel sas', 'aria-labelledby': 'sas-title' },
    h('h2', { id: 'sas-title' }, t.e2eeSecurityCode),
    this.code,
    h('p', { class: 'sas-explain' }, t.e2eeExplain),
  );

  constructor(private readonly ui: CallUi, private readonly e2ee: E2ee) {
    ui.side.prepend(this.region);
  }

  update(): void {
    const code = this.e2ee.notSecure ? t.e2eeCodeNotSecure : this.e2ee.code ?? t.e2eeCodePending;
    if (this.code.textContent !== code) {
      this.code.textContent = code;
    }
    this.code.classList.toggle('not-secure', this.e2ee.notSecure);
    for (const tile of this.ui.tiles.querySelectorAll<HTMLElement>('figure.tile.remote[data-participant-id]')) {
      const id = tile.dataset.participantId ?? '';
      let badge = tile.querySelector<HTMLElement>('.badge.unsecured');
      if (!badge) {
        badge = h('span', { class: 'badge unsecured' }, t.e2eeNotSecured);
        tile.querySelector('figcaption')?.append(badge);
      }
      badge.hidden = this.e2ee.secured(id);
      const failure = this.e2ee.failure(id);
      let why = tile.querySelector<HTMLElement>('.badge.not-secure');
      if (failure && !why) {
        why = h('span', { class: 'badge not-secure' });
        tile.querySelector('figcaption')?.append(why);
      }
      if (why) {
        why.hidden = failure === null;
        why.textContent = failure ? WHY[failure]() : '';
      }
    }
  }

  remove(): void {
    this.region.remove();
    for (const badge of this.ui.tiles.querySelectorAll('.badge.unsecured, .badge.not-secure')) {
      badge.remove();
    }
  }
}
