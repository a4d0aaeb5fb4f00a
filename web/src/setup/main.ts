// Entry of setup.html (/setup): first-run setup (README.md "First run"). The server
// printed a link /setup#t=<token> on its console; the token lives in the fragment so it
// never reaches a server log. Step 1 sends the practice and the admin account and gets a
// TOTP secret back (QR code drawn by the server, plus the otpauth URI and the secret as
// text); step 2 sends the code the authenticator app shows, and only then does the server
// create the accounts.
import '../styles.css';
import { ApiError, apiCall } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { topbar } from '../ui/topbar';
import { field } from '../ui/field';

const TOKEN_KEY = 'medrtc.setupToken';

document.title = `${t.setupTitle} – ${t.appName}`;

// Kept for this tab only (a language switch reloads the page) and taken out of the
// address bar, so the token is not left in history or shown on a shared screen.
function setupToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('t');
  try {
    if (fromHash) {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
    }
    history.replaceState(null, '', '/setup');
    return fromHash ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return fromHash ?? '';
  }
}

const token = setupToken();
const alert = h('div', { class: 'alert', role: 'alert', id: 'setup-alert' });
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const main = h('main', { id: 'main', class: 'narrow' }, h('h2', {}, t.setupTitle), status, alert);
byId('app').replaceChildren(topbar(t.appName), main);

function errorText(err: unknown): string {
  const e = err instanceof ApiError ? err : new ApiError(0, 'network_error', null);
  if (e.status === 0) {
    return t.networkError;
  }
  const text = t.setupErrors[e.code] ?? t.serverErrorUnknown;
  return e.code === 'too_many_attempts' && e.retryAfter ? `${text} ${t.tryAgainIn(e.retryAfter)}` : text;
}

function showClosed(text: string): void {
  main.replaceChildren(
    h('h2', {}, t.setupTitle),
    h('p', { class: 'status', role: 'status' }, text),
    h('a', { href: '/login', class: 'btn primary big' }, t.setupGoToLogin),
  );
}

function accountForm(policies: string[]): void {
  const practice = field({ id: 'practice', label: t.setupPractice, autocomplete: 'organization', required: true, maxlength: '200' });
  const policy = h('select', { id: 'policy', name: 'policy', class: 'field-input', 'aria-describedby': 'policy-hint' });
  policy.append(h('option', { value: '' }, t.setupPolicyNone));
  for (const name of policies) {
    policy.append(h('option', { value: name }, name));
  }
  const policyField = h(
    'div',
    { class: 'field' },
    h('label', { for: 'policy', class: 'field-label' }, t.setupPolicy),
    h('p', { id: 'policy-hint', class: 'field-hint' }, t.setupPolicyHint),
    policy,
  );
  const region = field({ id: 'region', label: t.setupRegion, hint: t.setupRegionHint, maxlength: '64' });
  const name = field({ id: 'name', label: `${t.setupAdminName} (${t.optional})`, autocomplete: 'name', maxlength: '200' });
  const email = field({ id: 'email', label: t.email, type: 'email', autocomplete: 'username', required: true });
  const password = field({ id: 'password', label: t.password, type: 'password', autocomplete: 'new-password', required: true, minlength: '8' });
  const submit = h('button', { type: 'submit', class: 'btn primary big' }, t.setupNext);
  const form = h('form', { class: 'form card', novalidate: true },
    practice.root, policyField, region.root, name.root, email.root, password.root, submit);
  main.append(h('p', {}, t.setupIntro), form);
  practice.input.focus();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.textContent = '';
    submit.disabled = true;
    status.textContent = t.setupStarting;
    try {
      const enrolment = await apiCall<{ otpauth_uri: string; secret: string; qr_svg: string }>('POST', '/api/v1/setup/enrolment', {
        body: {
          token,
          practice_name: practice.input.value.trim(),
          policy: policy.value,
          region: region.input.value.trim(),
          display_name: name.input.value.trim(),
          email: email.input.value.trim(),
          password: password.input.value,
        },
      });
      status.textContent = '';
      form.remove();
      verifyForm(enrolment);
    } catch (err) {
      status.textContent = '';
      if (err instanceof ApiError && err.code === 'setup_closed') {
        showClosed(t.setupClosed);
        return;
      }
      alert.textContent = errorText(err);
      practice.input.focus();
    } finally {
      submit.disabled = false;
    }
  });
}

// The server's SVG holds only a rect and a path; parsing it as SVG (not HTML) into the
// page needs no inline script or style, which the CSP forbids.
function qrImage(svgText: string): Element {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = document.importNode(doc.documentElement, true);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t.setupQrLabel);
  svg.setAttribute('width', '240');
  svg.setAttribute('height', '240');
  return svg;
}

function readonlyField(id: string, label: string, value: string): HTMLElement {
  const input = h('input', { id, class: 'field-input', readonly: true, value });
  return h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, label), input);
}

function verifyForm(enrolment: { otpauth_uri: string; secret: string; qr_svg: string }): void {
  const code = field({
    id: 'code',
    label: t.totpCode,
    hint: t.totpHint,
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9 ]*',
    maxlength: '8',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'btn primary big' }, t.setupCreate);
  const form = h('form', { class: 'form card', novalidate: true },
    h('h3', {}, t.setupScanTitle),
    h('p', {}, t.setupScanHint),
    qrImage(enrolment.qr_svg),
    readonlyField('otpauth-uri', t.setupUriLabel, enrolment.otpauth_uri),
    readonlyField('totp-secret', t.setupSecretLabel, enrolment.secret),
    code.root,
    submit);
  main.append(form);
  code.input.focus();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.textContent = '';
    submit.disabled = true;
    status.textContent = t.setupCreating;
    try {
      await apiCall('POST', '/api/v1/setup/complete', { body: { token, code: code.input.value.replace(/\s+/g, '') } });
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        // nothing stored
      }
      showClosed(t.setupDone);
    } catch (err) {
      status.textContent = '';
      if (err instanceof ApiError && err.code === 'setup_closed') {
        showClosed(t.setupClosed);
        return;
      }
      if (err instanceof ApiError && err.code === 'setup_not_started') {
        form.remove();
        alert.textContent = errorText(err);
        location.reload();
        return;
      }
      alert.textContent = errorText(err);
      code.input.value = '';
      code.input.focus();
    } finally {
      submit.disabled = false;
    }
  });
}

async function start(): Promise<void> {
  try {
    const info = await apiCall<{ open: boolean; policies: string[] }>('GET', '/api/v1/setup');
    if (!info.open) {
      showClosed(t.setupClosed);
    } else if (!token) {
      status.textContent = t.setupNoToken;
    } else {
      accountForm(info.policies);
    }
  } catch (err) {
    alert.textContent = errorText(err);
  }
}

void start();
