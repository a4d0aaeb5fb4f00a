// A staff member's side of KBV K5: the consultations a doctor added them to (GET
// /api/v1/staff/consultations), each with "Join". Joining buys a join token with the
// staff member's own session and opens the call page, where they wait in the waiting
// room until the doctor lets them in.
import { apiCall } from '../api';
import { h } from '../dom';
import { t } from '../i18n';
import { formatRange } from '../time';

interface StaffConsultation {
  appointment_id: string;
  start: string;
  end: string;
  practitioner: string;
  state: 'waiting' | 'admitted';
}

export class StaffConsultations {
  private readonly list = h('ul', { class: 'staff-consultations', 'aria-labelledby': 'staff-consultations-title' });
  readonly root = h(
    'section',
    { class: 'card', 'aria-labelledby': 'staff-consultations-title' },
    h('h2', { id: 'staff-consultations-title' }, t.staffConsultationsTitle),
    this.list,
  );

  constructor(private readonly fail: (err: unknown) => void) {}

  async refresh(): Promise<void> {
    try {
      const res = await apiCall<{ consultations: StaffConsultation[] }>('GET', '/api/v1/staff/consultations', { session: true });
      const items = res.consultations ?? [];
      this.list.replaceChildren(
        ...(items.length ? items.map((c) => this.item(c)) : [h('li', { class: 'empty' }, t.staffConsultationsNone)]),
      );
    } catch (err) {
      this.fail(err);
    }
  }

  private item(c: StaffConsultation): HTMLElement {
    const doctor = c.practitioner || t.roles.practitioner || '';
    // Several entries may each say "Join": the entry's line describes which one.
    const describedBy = `staff-consultation-${c.appointment_id}`;
    const join = h('button', { type: 'button', class: 'btn primary', 'aria-describedby': describedBy }, t.join);
    join.addEventListener('click', async () => {
      join.disabled = true;
      try {
        const res = await apiCall<{ url: string }>('POST', `/api/v1/appointments/${encodeURIComponent(c.appointment_id)}/staff-token`, {
          session: true,
        });
        location.assign(res.url);
      } catch (err) {
        join.disabled = false;
        this.fail(err);
      }
    });
    return h(
      'li',
      { class: 'staff-consultation', 'data-appointment-id': c.appointment_id },
      h('p', { id: describedBy }, t.staffConsultation(doctor, formatRange(c.start, c.end))),
      join,
    );
  }
}
