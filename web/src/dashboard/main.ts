// Entry of dashboard.html (/dashboard): today's and upcoming appointments of the signed-in
// practitioner, a form to create one, and sign-out. Idle logoff is the server's: any 401
// sends the person to /login with a message. We do not poll (polling would keep an
// unattended session alive); the list refreshes on actions and when the tab is shown again.
import '../styles.css';
import { apiCall, goToLogin, requireSession, type Appointment } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { field } from '../ui/field';
import { topbar } from '../ui/topbar';
import { localInputToIso, nextQuarterHour, toLocalInputValue } from '../time';
import { apiErrorText, appointmentCard, type CardContext } from './appointment-card';
import { LiveConsultations } from './live-consultations';
import { StaffConsultations } from './staff-consultations';
import { webhookSection } from './webhooks';

document.title = `${t.dashboardTitle} – ${t.appName}`;

const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const alert = h('div', { class: 'alert', role: 'alert' });
const list = h('ul', { class: 'appointments', 'aria-labelledby': 'upcoming-title' });
const who = h('span', { class: 'signed-in-as' });
const signOut = h('button', { type: 'button', class: 'btn secondary' }, t.signOut);

const startField = field({ id: 'appt-start', label: t.start, type: 'datetime-local', required: true });
const endField = field({ id: 'appt-end', label: t.end, type: 'datetime-local', required: true });
const titleField = field({ id: 'appt-title', label: t.title, hint: t.optional, maxlength: '200' });
const createButton = h('button', { type: 'submit', class: 'btn primary big' }, t.createAppointment);
const form = h(
  'form',
  { class: 'form card', 'aria-labelledby': 'new-appt-title', novalidate: true },
  h('h2', { id: 'new-appt-title' }, t.newAppointment),
  h('div', { class: 'form-row' }, startField.root, endField.root),
  titleField.root,
  createButton,
);

const start = nextQuarterHour();
startField.input.value = toLocalInputValue(start);
endField.input.value = toLocalInputValue(new Date(start.getTime() + 30 * 60_000));

byId('app').replaceChildren(
  topbar(t.dashboardTitle, who, signOut),
  status,
  alert,
  h(
    'main',
    { id: 'main', class: 'dashboard' },
    form,
    h('section', { 'aria-labelledby': 'upcoming-title' }, h('h2', { id: 'upcoming-title' }, t.upcoming), list),
  ),
);

const announce = (text: string): void => {
  status.textContent = text;
};
const fail = (err: unknown): void => {
  alert.textContent = apiErrorText(err);
};

const ctx: CardContext = {
  announce,
  fail,
  invitations: new Map(),
  refresh: () => loadAppointments(),
};

async function loadAppointments(): Promise<void> {
  const from = new Date();
  from.setHours(0, 0, 0, 0);
  const to = new Date(from.getTime() + 60 * 24 * 3600_000);
  try {
    const res = await apiCall<{ appointments: Appointment[] }>(
      'GET',
      `/api/v1/appointments?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`,
      { session: true },
    );
    const appts = [...(res.appointments ?? [])].sort((a, b) => a.start.localeCompare(b.start));
    list.replaceChildren(...(appts.length ? appts.map((a) => appointmentCard(a, ctx)) : [h('li', { class: 'empty' }, t.noAppointments)]));
  } catch (err) {
    alert.textContent = `${t.appointmentFailed} ${apiErrorText(err)}`;
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  alert.textContent = '';
  const startIso = localInputToIso(startField.input.value);
  const endIso = localInputToIso(endField.input.value);
  if (!startIso || !endIso) {
    alert.textContent = t.startRequired;
    (startIso ? endField : startField).input.focus();
    return;
  }
  if (endIso <= startIso) {
    alert.textContent = t.endBeforeStart;
    endField.input.focus();
    return;
  }
  const body: Record<string, string> = { start: startIso, end: endIso };
  if (titleField.input.value.trim()) {
    body.title = titleField.input.value.trim();
  }
  createButton.disabled = true;
  announce(t.creating);
  try {
    const appt = await apiCall<Appointment>('POST', '/api/v1/appointments', { body, session: true });
    if (appt.invitation) {
      ctx.invitations.set(appt.id, [{ role: 'patient', inv: { ...appt.invitation, role: 'patient' } }]);
    }
    titleField.input.value = '';
    await loadAppointments();
    announce(t.created);
    list.querySelector<HTMLElement>(`[data-appointment-id="${CSS.escape(appt.id)}"] h3`)?.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    announce('');
    fail(err);
  } finally {
    createButton.disabled = false;
  }
});

signOut.addEventListener('click', async () => {
  try {
    await apiCall('POST', '/api/v1/auth/logout', { session: true });
  } catch {
    // signed out either way
  }
  goToLogin('signed_out');
});

// A staff member's consultations a doctor added them to (K5); null for other roles.
let staffConsultations: StaffConsultations | null = null;

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    void loadAppointments();
    void staffConsultations?.refresh();
  }
});

async function main(): Promise<void> {
  list.replaceChildren(h('li', { class: 'empty' }, t.loading));
  const me = await requireSession();
  who.textContent = t.signedInAs(me.user.display_name || me.user.email);
  if (me.user.role === 'admin') {
    // The practice's admin also sees what runs now (the server refuses anyone else).
    const live = new LiveConsultations(fail);
    byId('main').prepend(live.root);
    live.start();
    // Webhooks are the practice admin's too (the server refuses everyone else).
    byId('main').append(webhookSection(announce));
  }
  if (me.user.role === 'staff') {
    staffConsultations = new StaffConsultations(fail);
    byId('main').prepend(staffConsultations.root);
    await staffConsultations.refresh();
  }
  await loadAppointments();
}

void main();
