// Entry of login.html (/login): practice staff sign in with email, password and, when the
// server answers totp_required, the code from their authenticator app. The server sets
// an HttpOnly session cookie; we go on to the dashboard.
import '../styles.css';
import { ApiError, apiCall } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { topbar } from '../ui/topbar';
import { field } from '../ui/field';

document.title = `${t.loginTitle} – ${t.appName}`;

const email = field({ id: 'email', label: t.email, type: 'email', autocomplete: 'username', required: true });
const password = field({ id: 'password', label: t.password, type: 'password', autocomplete: 'current-password', required: true });
const totp = field({
  id: 'totp',
  label: t.totpCode,
  hint: t.totpHint,
  type: 'text',
  inputmode: 'numeric',
  autocomplete: 'one-time-code',
  pattern: '[0-9 ]*',
  maxlength: '8',
});
totp.root.hidden = true;
const submit = h('button', { type: 'submit', class: 'btn primary big' }, t.signIn);
const alert = h('div', { class: 'alert', role: 'alert', id: 'login-alert' });
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const form = h('form', { class: 'form card', novalidate: true }, email.root, password.root, totp.root, submit);

const reason = new URLSearchParams(location.search).get('reason');
if (reason === 'expired') {
  alert.textContent = t.sessionExpired;
} else if (reason === 'signed_out') {
  status.textContent = t.signedOut;
}

byId('app').replaceChildren(
  topbar(t.appName),
  h('main', { id: 'main', class: 'narrow' }, h('h2', {}, t.loginTitle), status, alert, form),
);
email.input.focus();

function showError(text: string, focus: HTMLInputElement): void {
  alert.textContent = text;
  focus.focus();
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  alert.textContent = '';
  if (!email.input.value.trim()) {
    showError(t.loginErrors.invalid_credentials ?? '', email.input);
    return;
  }
  const body: Record<string, string> = { email: email.input.value.trim(), password: password.input.value };
  const code = totp.input.value.replace(/\s+/g, '');
  if (!totp.root.hidden && code) {
    body.totp = code;
  }
  submit.disabled = true;
  status.textContent = t.signingIn;
  try {
    await apiCall('POST', '/api/v1/auth/login', { body });
    location.assign('/dashboard');
    return;
  } catch (err) {
    status.textContent = '';
    const e = err instanceof ApiError ? err : new ApiError(0, 'network_error', null);
    if (e.code === 'totp_required' || e.code === 'totp_invalid') {
      const first = totp.root.hidden;
      totp.root.hidden = false;
      totp.input.value = '';
      // Asking for the code the first time is the normal next step, not an error.
      showError(first && e.code === 'totp_required' ? t.totpHint : t.loginErrors[e.code] ?? '', totp.input);
    } else if (e.code === 'too_many_attempts') {
      showError(`${t.loginErrors.too_many_attempts} ${e.retryAfter ? t.tryAgainIn(e.retryAfter) : ''}`.trim(), email.input);
    } else if (e.code === 'mfa_not_enrolled' || e.code === 'policy_unavailable') {
      // Nothing the user can type fixes these: say who can.
      showError(t.loginErrors[e.code] ?? t.serverErrorUnknown, email.input);
    } else if (e.code === 'invalid_credentials') {
      password.input.value = '';
      showError(t.loginErrors.invalid_credentials ?? '', password.input);
    } else if (e.status === 0) {
      showError(t.networkError, email.input);
    } else {
      showError(t.serverErrorUnknown, email.input);
    }
  } finally {
    submit.disabled = false;
  }
});
