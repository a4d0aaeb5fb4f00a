// Entry of consult.html (/consult/<appointment id>): the practitioner's call view. The
// cookie session buys a host join token for the appointment; the call then runs like any
// other, plus the waiting room, host controls, adding a staff member (K5) and chat.
import '../styles.css';
import { ApiError, apiCall, requireSession } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { CallQuality } from '../call/call-quality';
import { Chat } from '../call/chat';
import { debug } from '../call/debug';
import { AddStaff } from '../call/add-staff';
import { HostControls } from '../call/host';
import { preparePrejoin } from '../call/prejoin';
import { Session } from '../call/session';
import { CallUi } from '../call/ui';

document.title = `${t.appName} – ${t.startConsultation}`;
const appointmentId = decodeURIComponent(location.pathname.replace(/^\/consult\/?/, '').split('/')[0] ?? '');
const back = h('a', { class: 'btn link', href: '/dashboard' }, t.backToDashboard);
const ui = new CallUi(byId('app'), { topbarExtra: [back] });

async function main(): Promise<void> {
  ui.show('loading');
  if (!appointmentId) {
    debug.state = 'error';
    ui.showEnd(t.errorTitle, t.apiErrors.not_found ?? t.serverErrorUnknown, 'none');
    return;
  }
  await requireSession();
  let token: string;
  try {
    const res = await apiCall<{ token: string }>('POST', `/api/v1/appointments/${encodeURIComponent(appointmentId)}/host-token`, { session: true });
    token = res.token;
  } catch (err) {
    debug.state = 'error';
    const text = err instanceof ApiError ? (err.status === 0 ? t.networkError : t.apiErrors[err.code] ?? t.serverErrorUnknown) : t.serverErrorUnknown;
    ui.showEnd(t.errorTitle, text, 'none');
    return;
  }
  const session = new Session(token, ui);
  session.addExtension(new HostControls(session, ui));
  session.addExtension(new AddStaff(appointmentId, ui));
  session.addExtension(new Chat(session, ui));
  session.addExtension(new CallQuality(ui));
  await preparePrejoin(ui, session);
  ui.joinButton.addEventListener('click', () => session.join());
}

void main();
