// What a doctor checks in an end-to-end encrypted call: the security code (the same 6
// digits on every screen while nobody sits in the middle) with its one-line explanation,
// and a "not yet secured" badge on each tile whose participant's key has not reached us.
import { h } from '../../dom';
import { t } from '../../i18n';
import type { CallUi } from '../ui';
import type { E2ee } from './e2ee';

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
    const code = this.e2ee.code ?? t.e2eeCodePending;
    if (this.code.textContent !== code) {
      this.code.textContent = code;
    }
    for (const tile of this.ui.tiles.querySelectorAll<HTMLElement>('figure.tile.remote[data-participant-id]')) {
      const id = tile.dataset.participantId ?? '';
      let badge = tile.querySelector<HTMLElement>('.badge.unsecured');
      if (!badge) {
        badge = h('span', { class: 'badge unsecured' }, t.e2eeNotSecured);
        tile.querySelector('figcaption')?.append(badge);
      }
      badge.hidden = this.e2ee.secured(id);
    }
  }

  remove(): void {
    this.region.remove();
    for (const badge of this.ui.tiles.querySelectorAll('.badge.unsecured')) {
      badge.remove();
    }
  }
}
