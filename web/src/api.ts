// JSON calls to our own REST API (docs/consultation-api.md). Errors come back as
// problem+json with a `code`; we turn them into ApiError so pages can show plain words.
// Cookie-authenticated state-changing calls carry the CSRF token from login/me.

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly retryAfter: number | null) {
    super(`${status} ${code}`);
  }
}

let csrfToken: string | null = null;
let onSessionExpired: ((code: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on 401 from a cookie-authenticated call (idle logoff or signed out elsewhere). */
export function setSessionExpiredHandler(fn: (code: string) => void): void {
  onSessionExpired = fn;
}

export interface CallOptions {
  body?: unknown;
  /** Cookie session call: add X-CSRF-Token, and treat 401 as "signed out". */
  session?: boolean;
}

export async function apiCall<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (opts.session && method !== 'GET' && csrfToken) {
    headers['x-csrf-token'] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network_error', null);
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const code = typeof (data as { code?: unknown } | null)?.code === 'string' ? (data as { code: string }).code : `http_${res.status}`;
    const retry = Number(res.headers.get('retry-after'));
    const err = new ApiError(res.status, code, Number.isFinite(retry) && retry > 0 ? retry : null);
    if (opts.session && res.status === 401 && onSessionExpired) {
      onSessionExpired(code);
    }
    throw err;
  }
  return data as T;
}

export interface Branding {
  display_name?: string;
  primary_color?: string;
  logo_url?: string;
}

export interface Me {
  user: { id: string; email: string; role: string; display_name?: string };
  tenant: { id: string; name: string; branding?: Branding };
  csrf_token: string;
}

export interface Invitation {
  id: string;
  url: string;
  code: string;
  expires_at: string;
  role?: string;
}

export interface Appointment {
  id: string;
  status: string;
  start: string;
  end: string;
  title?: string | null;
  practitioner_id?: string;
  patient_reference?: string | null;
  room_id?: string;
  created_at?: string;
  waiting_count?: number;
  invitation?: Invitation;
  invitations?: Invitation[];
  host_url?: string;
  /** Title and patient reference were crypto-shredded: both are empty. */
  erased?: boolean;
}

/** Where a signed-out page sends the person (with the reason shown there). */
export function goToLogin(reason: 'expired' | 'signed_out' | 'required'): void {
  location.assign(`/login?reason=${reason}`);
}

/** Loads the signed-in person; sends them to /login if there is no session. */
export async function requireSession(): Promise<Me> {
  setSessionExpiredHandler((code) => goToLogin(code === 'session_expired' ? 'expired' : 'required'));
  try {
    const me = await apiCall<Me>('GET', '/api/v1/auth/me', { session: true });
    setCsrfToken(me.csrf_token);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      // handled by the session-expired handler; never resolve
      return new Promise<Me>(() => undefined);
    }
    throw err;
  }
}
