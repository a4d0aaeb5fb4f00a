// The practice admin's webhook section of /dashboard: the tenant's endpoints, a form to
// add one (its signing secret is shown once, as the server returns it only then), delete,
// and each endpoint's delivery log (docs/operations.md "Webhooks"). Only admins see it:
// the server answers 403 to everyone else.
import { apiCall } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { formatDateTime } from '../time';
import { confirmDialog } from '../ui/dialog';
import { field } from '../ui/field';
import { apiErrorText } from './appointment-card';

interface Webhook {
  id: string;
  url: string;
  events: string[];
  include_names: boolean;
  created_at: string;
  secret?: string;
}

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number;
  last_error: string;
  created_at: string;
  updated_at: string;
}

export function webhookSection(announce: (text: string) => void): HTMLElement {
  const w = t.webhooks;
  const alert = h('div', { class: 'alert', role: 'alert' });
  const list = h('ul', { class: 'webhooks', 'aria-labelledby': 'webhooks-title' });
  const secretBox = h('div', { class: 'webhook-secret', hidden: true });
  const urlField = field({ id: 'webhook-url', label: w.url, type: 'url', required: true, maxlength: '2048' });
  const namesBox = h('input', { id: 'webhook-names', type: 'checkbox' });
  const addButton = h('button', { type: 'submit', class: 'btn primary' }, w.add);
  const form = h(
    'form',
    { class: 'form', 'aria-labelledby': 'webhook-add-title', novalidate: true },
    h('h3', { id: 'webhook-add-title' }, w.addTitle),
    urlField.root,
    h('div', { class: 'field checkbox' }, namesBox, h('label', { for: 'webhook-names' }, w.includeNames)),
    addButton,
  );

  async function deliveryLog(hook: Webhook, into: HTMLElement): Promise<void> {
    const res = await apiCall<{ deliveries: Delivery[] }>('GET', `/api/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries`, {
      session: true,
    });
    if (res.deliveries.length === 0) {
      into.replaceChildren(h('p', { class: 'empty' }, w.noDeliveries));
      return;
    }
    const head = h('tr', {}, ...[w.colTime, w.colEvent, w.colStatus, w.colAttempts, w.colAnswer].map((c) => h('th', { scope: 'col' }, c)));
    const rows = res.deliveries.map((d) =>
      h(
        'tr',
        {},
        h('td', {}, formatDateTime(d.created_at)),
        h('td', {}, d.event_type),
        h('td', {}, w.status[d.status] ?? d.status),
        h('td', {}, String(d.attempts)),
        h('td', {}, d.last_status ? String(d.last_status) : d.last_error || '–'),
      ),
    );
    into.replaceChildren(
      h('table', { class: 'delivery-log' }, h('caption', {}, w.logTitle(hook.url)), h('thead', {}, head), h('tbody', {}, ...rows)),
    );
  }

  function item(hook: Webhook): HTMLElement {
    const log = h('div', { class: 'delivery-log-box', hidden: true });
    const toggle = h('button', { type: 'button', class: 'btn secondary', 'aria-expanded': 'false' }, w.showLog);
    const remove = h('button', { type: 'button', class: 'btn secondary danger' }, w.remove);
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!open));
      toggle.textContent = open ? w.showLog : w.hideLog;
      log.hidden = open;
      if (!open) {
        log.replaceChildren(h('p', {}, t.loading));
        try {
          await deliveryLog(hook, log);
        } catch (err) {
          log.replaceChildren(h('p', { class: 'alert' }, apiErrorText(err)));
        }
      }
    });
    remove.addEventListener('click', async () => {
      if (!(await confirmDialog(w.removeConfirm, hook.url, w.remove, w.keep))) {
        return;
      }
      try {
        await apiCall('DELETE', `/api/v1/webhooks/${encodeURIComponent(hook.id)}`, { session: true });
        announce(w.removed);
        await load();
      } catch (err) {
        alert.textContent = apiErrorText(err);
      }
    });
    const events = hook.events.length ? hook.events.join(', ') : w.allEvents;
    return h(
      'li',
      { class: 'webhook card', 'data-webhook-id': hook.id },
      h('h3', {}, hook.url),
      h('p', {}, `${events} · ${hook.include_names ? w.withNames : w.idsOnly}`),
      h('div', { class: 'actions' }, toggle, remove),
      log,
    );
  }

  async function load(): Promise<void> {
    try {
      const res = await apiCall<{ webhooks: Webhook[] }>('GET', '/api/v1/webhooks', { session: true });
      list.replaceChildren(...(res.webhooks.length ? res.webhooks.map(item) : [h('li', { class: 'empty' }, w.none)]));
    } catch (err) {
      alert.textContent = `${w.loadFailed} ${apiErrorText(err)}`;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.textContent = '';
    const url = urlField.input.value.trim();
    if (!url) {
      alert.textContent = w.urlRequired;
      urlField.input.focus();
      return;
    }
    addButton.disabled = true;
    try {
      const hook = await apiCall<Webhook>('POST', '/api/v1/webhooks', {
        body: { url, include_names: namesBox.checked },
        session: true,
      });
      urlField.input.value = '';
      namesBox.checked = false;
      secretBox.hidden = false;
      secretBox.replaceChildren(
        h('p', {}, w.added),
        h('label', { for: 'webhook-secret' }, w.secret),
        h('input', { id: 'webhook-secret', class: 'field-input', readonly: true, value: hook.secret ?? '' }),
      );
      announce(w.added);
      await load();
    } catch (err) {
      alert.textContent = apiErrorText(err);
    } finally {
      addButton.disabled = false;
    }
  });

  void load();
  return h(
    'section',
    { class: 'webhooks-section', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title' }, w.title),
    h('p', {}, w.intro),
    alert,
    list,
    form,
    secretBox,
  );
}
