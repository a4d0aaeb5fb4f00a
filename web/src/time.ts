// Date helpers for the dashboard: <input type="datetime-local"> values are local wall
// time without a zone; the API wants RFC 3339.
import { t } from './i18n';

const pad = (n: number): string => String(n).padStart(2, '0');

export function toLocalInputValue(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The local datetime-local value as an RFC 3339 instant, or null when empty/invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) {
    return null;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The next quarter hour from now, for the form's default start. */
export function nextQuarterHour(now = new Date()): Date {
  const d = new Date(now);
  d.setSeconds(0, 0);
  d.setMinutes(Math.ceil((d.getMinutes() + 1) / 15) * 15);
  return d;
}

export function formatRange(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const day = new Intl.DateTimeFormat(t.lang, { weekday: 'short', day: 'numeric', month: 'short' }).format(start);
  const time = new Intl.DateTimeFormat(t.lang, { hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time.format(start)}–${time.format(end)}`;
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** RFC 3339 text, or a number of seconds (< 1e12) or milliseconds since the epoch. */
export function formatTime(when: string | number): string {
  const d = typeof when === 'number' ? new Date(when < 1e12 ? when * 1000 : when) : new Date(when);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(t.lang, { hour: '2-digit', minute: '2-digit' }).format(d);
}

/** 123456789 → "123 456 789" (easier to read aloud on the phone). */
export function groupCode(code: string): string {
  return code.replace(/\D/g, '').replace(/(\d{3})(?=\d)/g, '$1 ');
}
