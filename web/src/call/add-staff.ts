// KBV K5 on the host's call screen: "Add staff member" opens the list of the practice's
// staff (ids and names from GET /api/v1/appointments/{id}/staff, nothing else); choosing
// one adds them (POST …/staff). They then find the consultation on their own dashboard
// and come in through the waiting room like everyone else: the host still admits them.
import { ApiError, apiCall } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import type { SessionExtension } from './session';
import type { CallUi } from './ui';

interface StaffMember {
  id: string;
  display_name: string;
  added: boolean;
}

let counter = 0;

export class AddStaff implements SessionExtension {
  readonly button: HTMLButtonElement;
  private readonly list = h('ul', { class: 'staff-list' });
  private readonly note = h('p', { class: 'staff-note', 'aria-live': 'polite' });
  readonly panel: HTMLElement;

  constructor(private readonly appointmentId: string, private readonly ui: CallUi) {
    counter += 1;
    const panelId = `add-staff-${counter}`;
    const titleId = `${panelId}-title`;
    this.button = h(
      'button',
      { type: 'button', class: 'btn secondary control', 'aria-expanded': 'false', 'aria-controls': panelId },
      t.addStaff,
    );
    this.panel = h(
      'section',
      { id: panelId, class: 'panel add-staff', 'aria-labelledby': titleId, hidden: true },
      h('h2', { id: titleId }, t.addStaffTitle),
      h('p', { class: 'staff-hint' }, t.addStaffHint),
      this.note,
      this.list,
    );
    ui.side.append(this.panel);
    ui.controls.append(this.button);
    this.button.addEventListener('click', () => void this.toggle());
  }

  /** Nothing to add someone to once the consultation is over for this page. */
  onEnded(): void {
    this.button.hidden = true;
    this.panel.hidden = true;
  }

  private async toggle(): Promise<void> {
    const open = this.panel.hidden;
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) {
      await this.load();
    }
  }

  private path(): string {
    return `/api/v1/appointments/${encodeURIComponent(this.appointmentId)}/staff`;
  }

  private async load(): Promise<void> {
    this.note.textContent = t.loading;
    try {
      const res = await apiCall<{ staff: StaffMember[] }>('GET', this.path(), { session: true });
      const staff = res.staff ?? [];
      this.note.textContent = staff.length === 0 ? t.addStaffNone : '';
      this.list.replaceChildren(...staff.map((s) => this.row(s)));
    } catch (err) {
      this.note.textContent = errorText(err);
    }
  }

  private row(s: StaffMember): HTMLElement {
    const name = s.display_name || t.roles.staff || t.guest;
    const add = h('button', { type: 'button', class: 'btn primary small' }, s.added ? t.staffAdded(name) : t.addStaffNamed(name));
    add.disabled = s.added;
    add.addEventListener('click', async () => {
      add.disabled = true;
      try {
        await apiCall('POST', this.path(), { body: { user_id: s.id }, session: true });
        add.textContent = t.staffAdded(name);
        this.ui.setStatus(t.staffAddedStatus(name));
      } catch (err) {
        add.disabled = false;
        this.note.textContent = errorText(err);
      }
    });
    return h('li', { class: 'staff-entry', 'data-user-id': s.id }, add);
  }
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    return err.status === 0 ? t.networkError : t.apiErrors[err.code] ?? t.serverErrorUnknown;
  }
  return t.serverErrorUnknown;
}
