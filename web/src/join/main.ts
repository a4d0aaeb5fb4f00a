// Entry of join.html (/join, /join#i=<token>): the patient's (or interpreter's, carer's)
// way in, without an account: code (unless the link carried one), name, device check,
// "Join" → redeem → the server's waiting room → the call with chat.
import '../styles.css';
import { ApiError } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { Chat } from '../call/chat';
import { debug } from '../call/debug';
import { preparePrejoin } from '../call/prejoin';
import { Session, type SessionState } from '../call/session';
import { stashForReload, takeFragmentParam } from '../call/token';
import { CallUi } from '../call/ui';
import { field } from '../ui/field';
import { onBeforeLanguageReload } from '../ui/language-switch';
import { DeviceCheck } from './device-check';
import { loadGuest, normaliseCode, redeem, saveGuest, type Invite } from './redeem';

const MAX_NAME = 100;

document.title = t.appName;
let invite: Invite | null = null;
const linkToken = takeFragmentParam('i');
const stashedCode = takeFragmentParam('c');
// The practice (`?t=` of the link, not secret; it stays in the address across reloads
// and language switches) for its terms link (K10).
const tenantId = new URLSearchParams(location.search).get('t');
let guest = linkToken ? null : loadGuest();
if (linkToken) {
  saveGuest(null); // a new link: a new guest
  invite = { token: linkToken };
} else if (stashedCode) {
  invite = { code: stashedCode };
}

const nameField = field({ id: 'guest-name', label: t.yourName, hint: t.yourNameHint, autocomplete: 'name', maxlength: String(MAX_NAME), required: true });
// The call-path check runs on what this guest holds: its join token after a redeem, else
// the invitation link or code (checked by the server, not used up).
const check = new DeviceCheck(() => {
  if (guest) {
    return { join_token: guest.join_token };
  }
  if (invite && 'token' in invite) {
    return { invitation: invite.token };
  }
  return invite && 'code' in invite ? { code: invite.code } : null;
});
// KBV K10: the practice's terms, readable before joining and without any account.
function termsLink(): HTMLElement[] {
  if (!tenantId) {
    return [];
  }
  const href = `/terms#t=${encodeURIComponent(tenantId)}`;
  return [h('p', { class: 'terms-link' }, h('a', { href, target: '_blank', rel: 'noopener' }, t.termsLink))];
}
const ui = new CallUi(byId('app'), {
  prejoinTitle: t.joinTitle,
  beforePreview: [nameField.root],
  afterPreview: [check.root, ...termsLink()],
});

// Code entry, shown when the link did not carry a token.
const codeField = field({ id: 'invite-code', label: t.code, hint: t.codeHint, inputmode: 'numeric', autocomplete: 'off', maxlength: '15' });
const continueButton = h('button', { type: 'submit', class: 'btn primary big' }, t.continue);
const codeHeading = h('h2', { id: 'code-title', tabindex: '-1' }, t.joinTitle);
const codeForm = h('form', { class: 'form', novalidate: true }, h('p', {}, t.codeIntro), codeField.root, continueButton, ...termsLink());
ui.addScreen('code', h('section', { class: 'screen-code', 'aria-labelledby': 'code-title' }, codeHeading, codeForm), codeHeading);

let session: Session | null = null;
const holder = { media: null as Session['media'] };
let prejoinReady = false;

onBeforeLanguageReload(() => {
  if (invite && 'token' in invite) {
    stashForReload('i', invite.token);
  } else if (invite && 'code' in invite) {
    stashForReload('c', invite.code);
  }
});

async function showPrejoin(): Promise<void> {
  if (guest) {
    nameField.input.value = guest.name;
  }
  if (!prejoinReady) {
    prejoinReady = true;
    await preparePrejoin(ui, holder, (media) => check.start(media));
  } else {
    ui.show('prejoin');
  }
  nameField.input.focus();
}

codeForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const code = normaliseCode(codeField.input.value);
  if (!code) {
    ui.setAlert(t.codeInvalid);
    codeField.input.setAttribute('aria-invalid', 'true');
    codeField.input.focus();
    return;
  }
  codeField.input.removeAttribute('aria-invalid');
  ui.setAlert('');
  invite = { code };
  void showPrejoin();
});

function inviteErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) {
      return t.networkError;
    }
    return t.inviteErrors[err.code] ?? t.inviteErrorUnknown;
  }
  return t.inviteErrorUnknown;
}

function startSession(joinToken: string): void {
  if (!session) {
    session = new Session(joinToken, ui);
    session.addExtension(new Chat(session, ui));
    session.addExtension({
      onEnded: (state: SessionState) => {
        if (state === 'ended' || state === 'denied' || state === 'removed') {
          saveGuest(null); // this invitation is done; a reload starts from the code again
          guest = null;
        }
      },
    });
  }
  session.media = holder.media;
  check.stop();
  session.join();
}

ui.joinButton.addEventListener('click', async () => {
  const name = nameField.input.value.trim();
  if (!name || name.length > MAX_NAME) {
    ui.setAlert(name ? t.nameTooLong : t.nameMissing);
    nameField.input.setAttribute('aria-invalid', 'true');
    nameField.input.focus();
    return;
  }
  nameField.input.removeAttribute('aria-invalid');
  ui.setAlert('');
  if (guest) {
    startSession(guest.join_token);
    return;
  }
  if (!invite) {
    ui.show('code');
    return;
  }
  ui.joinButton.disabled = true;
  ui.setStatus(t.redeeming);
  try {
    const res = await redeem(invite, name);
    guest = { join_token: res.join_token, name };
    saveGuest(guest);
    invite = null; // used: never sent again
    startSession(res.join_token);
  } catch (err) {
    ui.setStatus('');
    ui.setAlert(inviteErrorText(err));
    debug.state = 'invite_error';
    if (err instanceof ApiError && err.code === 'invitation_not_found' && invite && 'code' in invite) {
      invite = null;
      ui.show('code');
      codeField.input.focus();
    }
  } finally {
    ui.joinButton.disabled = false;
  }
});

if (invite || guest) {
  void showPrejoin();
} else {
  debug.state = 'code';
  ui.show('code');
  codeField.input.focus();
}
