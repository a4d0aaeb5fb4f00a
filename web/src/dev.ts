// Entry of index.html: the development page. Creates a test room through
// POST /api/v1/dev/rooms (only on servers started with --dev) and lists its join links.
import './styles.css';
import { byId, h } from './dom';
import { t } from './i18n';

interface DevLink {
  identity: string;
  name: string;
  join_url: string;
}

interface DevRoom {
  id: string;
  links: DevLink[];
}

const app = byId('app');
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const createButton = h('button', { type: 'button', class: 'btn primary big' }, t.devCreate);
const links = h('div', { class: 'dev-links' });
document.title = t.devTitle;

app.replaceChildren(
  h('header', { class: 'topbar' }, h('h1', {}, t.devTitle)),
  h('main', { id: 'main', class: 'dev' }, h('p', {}, t.devIntro), createButton, status, links),
);

async function copy(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

function renderLink(link: DevLink, index: number): HTMLElement {
  const url = new URL(link.join_url, location.origin).toString();
  const inputId = `dev-link-${index}`;
  const input = h('input', { id: inputId, class: 'dev-link-input', type: 'text', readonly: true, value: url });
  const copyButton = h('button', { type: 'button', class: 'btn secondary' }, t.devCopy(link.name));
  copyButton.addEventListener('click', async () => {
    status.textContent = (await copy(url, input)) ? t.devCopied(link.name) : t.devCopyFailed;
  });
  return h(
    'section',
    { class: 'dev-link' },
    h('h2', {}, link.name),
    h('label', { for: inputId }, t.devLinkLabel(link.name)),
    input,
    h('div', { class: 'button-row' }, copyButton, h('a', { class: 'btn link', href: url, target: '_blank', rel: 'noopener' }, t.devOpen(link.name))),
  );
}

createButton.addEventListener('click', async () => {
  createButton.disabled = true;
  status.textContent = t.devCreating;
  links.replaceChildren();
  try {
    const res = await fetch('/api/v1/dev/rooms', { method: 'POST' });
    if (res.status === 404) {
      status.textContent = t.devDisabled;
      return;
    }
    if (!res.ok) {
      status.textContent = t.devFailed(`HTTP ${res.status}`);
      return;
    }
    const room = (await res.json()) as DevRoom;
    links.replaceChildren(h('p', { class: 'dev-explain' }, t.devExplain), ...room.links.map(renderLink));
    status.textContent = t.devCreated;
  } catch (err) {
    status.textContent = t.devFailed(err instanceof Error ? err.message : String(err));
  } finally {
    createButton.disabled = false;
  }
});
