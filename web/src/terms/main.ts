// Entry of terms.html (/terms#t=<tenant id>): a practice's terms of use and privacy notice
// (KBV K10), readable without any account; the join page links here. The practice's text
// is shown as text (textContent), never parsed as HTML, whatever its admin typed.
import '../styles.css';
import { apiCall } from '../api';
import { byId, h } from '../dom';
import { t } from '../i18n';
import { topbar } from '../ui/topbar';

interface TenantTerms {
  tenant_id: string;
  tenant_name: string;
  terms: { lang: string; text: string; default: boolean }[];
}

document.title = t.termsTitle;
const heading = h('h2', {}, t.termsTitle);
const body = h('div', { class: 'terms-text', id: 'terms-text' });
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, t.termsLoading);
byId('app').replaceChildren(topbar(t.appName), h('main', { id: 'main', class: 'narrow' }, heading, status, body));

// The tenant stays in the fragment (not secret) so a reload or language switch keeps it.
const tenantId = new URLSearchParams(location.hash.slice(1)).get('t') ?? '';

async function load(): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) {
    status.textContent = t.termsNotFound;
    return;
  }
  try {
    const terms = await apiCall<TenantTerms>('GET', `/api/v1/tenants/${encodeURIComponent(tenantId)}/terms`);
    const text = terms.terms.find((x) => x.lang === t.lang) ?? terms.terms[0];
    heading.textContent = `${t.termsTitle} – ${terms.tenant_name}`;
    body.textContent = text?.text ?? '';
    status.textContent = '';
  } catch {
    status.textContent = t.termsNotFound;
  }
}

void load();
