// One appointment in the dashboard list: when, status, the invitations created in this
// page session (links are shown only when created — the server keeps no readable copy),
// and the actions: start, invite interpreter/carer, new patient link, cancel.
import { ApiError, apiCall, type Appointment, type Invitation } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { confirmDialog } from '../ui/dialog';
import { formatRange } from '../time';
import { invitationView, type InviteRole } from './invitation-view';

export interface CardContext {
  announce(text: string): void;
  fail(err: unknown): void;
  /** Invitations created in this page session, by appointment id. */
  invitations: Map<string, { role: InviteRole; inv: Invitation }[]>;
  refresh(): Promise<void>;
}

function roleOf(inv: Invitation): InviteRole {
  return inv.role === 'interpreter' || inv.role === 'carer' ? inv.role : 'patient';
}

export function appointmentCard(appt: Appointment, ctx: CardContext): HTMLElement {
  const headingId = `appt-${appt.id}`;
  const title = appt.erased ? t.erasedTitle : appt.title && appt.title.trim() ? appt.title : t.untitled;
  const active = appt.status !== 'cancelled' && appt.status !== 'fulfilled';
  const known = ctx.invitations.get(appt.id) ?? [];
  // A server that returns readable invitations (e.g. right after creation) wins.
  const fromServer = [...(appt.invitations ?? []), ...(appt.invitation ? [appt.invitation] : [])]
    .filter((inv) => inv.url && !known.some((k) => k.inv.id === inv.id))
    .map((inv) => ({ role: roleOf(inv), inv }));
  const invites = h('div', { class: 'invitations' });
  for (const { role, inv } of [...fromServer, ...known]) {
    invites.append(invitationView(inv, role, ctx.announce));
  }
  const hasPatientLink = [...fromServer, ...known].some((k) => k.role === 'patient');

  const meta = h(
    'p',
    { class: 'appt-meta' },
    h('span', { class: `appt-status status-${appt.status}` }, t.status[appt.status] ?? appt.status),
    appt.waiting_count ? h('span', { class: 'appt-waiting' }, t.waitingCount(appt.waiting_count)) : null,
  );

  const actions = h('div', { class: 'button-row' });
  if (active) {
    const start = h('button', { type: 'button', class: 'btn primary' }, t.startConsultation);
    start.addEventListener('click', () => location.assign(`/consult/${encodeURIComponent(appt.id)}`));
    actions.append(start);

    const invite = (role: InviteRole, label: string): HTMLButtonElement => {
      const button = h('button', { type: 'button', class: 'btn secondary' }, label);
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const inv = await apiCall<Invitation>('POST', `/api/v1/appointments/${encodeURIComponent(appt.id)}/invitations`, { body: { role }, session: true });
          const list = ctx.invitations.get(appt.id) ?? [];
          list.push({ role, inv: { ...inv, role } });
          ctx.invitations.set(appt.id, list);
          invites.append(invitationView(inv, role, ctx.announce));
          ctx.announce(t.invites[role].created);
        } catch (err) {
          ctx.fail(err);
        } finally {
          button.disabled = false;
        }
      });
      return button;
    };
    if (!hasPatientLink) {
      actions.append(invite('patient', t.newPatientLink));
    }
    actions.append(invite('interpreter', t.inviteInterpreter), invite('carer', t.inviteCarer));

    const cancel = h('button', { type: 'button', class: 'btn danger' }, t.cancelAppointment);
    cancel.addEventListener('click', async () => {
      if (!(await confirmDialog(t.cancelConfirmTitle, t.cancelConfirmText, t.cancelAppointment, t.keepAppointment))) {
        cancel.focus();
        return;
      }
      try {
        await apiCall('POST', `/api/v1/appointments/${encodeURIComponent(appt.id)}/cancel`, { session: true });
        ctx.invitations.delete(appt.id);
        ctx.announce(t.cancelled);
        await ctx.refresh();
      } catch (err) {
        ctx.fail(err);
      }
    });
    actions.append(cancel);
  }

  return h(
    'li',
    { class: 'appointment card', 'data-appointment-id': appt.id },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, t.appointmentHeading(title, formatRange(appt.start, appt.end))),
      meta,
      invites,
      active && !hasPatientLink ? h('p', { class: 'field-hint' }, t.linkShownOnce) : null,
      actions,
    ),
  );
}

export function apiErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) {
      return t.networkError;
    }
    return t.apiErrors[err.code] ?? t.serverErrorUnknown;
  }
  return t.serverErrorUnknown;
}
