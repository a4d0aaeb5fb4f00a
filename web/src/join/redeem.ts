// POST /api/v1/invitations/redeem: trades a link token or code plus the typed name for a
// join token. The join token is kept for this tab (sessionStorage) so a reload or a
// language switch comes back as the same guest instead of using the invitation again.
import { apiCall } from '../api';

export interface Redeemed {
  join_token: string;
  role: string;
  appointment?: { start: string; end: string };
  tenant?: { name: string; branding?: Record<string, string> };
}

export type Invite = { token: string } | { code: string };

export function redeem(invite: Invite, name: string): Promise<Redeemed> {
  return apiCall<Redeemed>('POST', '/api/v1/invitations/redeem', { body: { ...invite, name } });
}

const GUEST_KEY = 'medrtc.guest';

export interface StoredGuest {
  join_token: string;
  name: string;
}

export function loadGuest(): StoredGuest | null {
  try {
    const raw = sessionStorage.getItem(GUEST_KEY);
    const value = raw ? (JSON.parse(raw) as StoredGuest) : null;
    return value && typeof value.join_token === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function saveGuest(guest: StoredGuest | null): void {
  try {
    if (guest) {
      sessionStorage.setItem(GUEST_KEY, JSON.stringify(guest));
    } else {
      sessionStorage.removeItem(GUEST_KEY);
    }
  } catch {
    // not kept: a reload then needs the link again
  }
}

/** "123 456-789" → "123456789"; null unless exactly 9 digits. */
export function normaliseCode(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{9}$/.test(digits) ? digits : null;
}
