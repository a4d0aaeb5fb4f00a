// One invitation on an appointment card: the link in a read-only field (its label is the
// role's link name), "Copy … link", and the code to read out on the phone.
import { h } from '../dom';
import { t } from '../i18n';
import type { Invitation } from '../api';
import { copyText } from '../ui/copy';
import { formatDateTime, groupCode } from '../time';

export type InviteRole = 'patient' | 'interpreter' | 'carer';

let counter = 0;

export function invitationView(inv: Invitation, role: InviteRole, announce: (text: string) => void): HTMLElement {
  counter += 1;
  const id = `invite-${counter}`;
  const names = t.invites[role];
  const url = new URL(inv.url, location.origin).toString();
  const input = h('input', { id, class: 'field-input link-input', type: 'text', readonly: true, value: url });
  const copy = h('button', { type: 'button', class: 'btn secondary' }, names.copy);
  copy.addEventListener('click', async () => {
    announce((await copyText(url, input)) ? t.copied : t.copyFailed);
  });
  return h(
    'div',
    { class: 'invitation', 'data-role': role },
    h('label', { for: id, class: 'field-label' }, names.link),
    input,
    h(
      'div',
      { class: 'invitation-meta' },
      copy,
      h('span', { class: 'invite-code' }, t.inviteCode(groupCode(inv.code))),
      h('span', { class: 'invite-expiry' }, t.expires(formatDateTime(inv.expires_at))),
    ),
  );
}
