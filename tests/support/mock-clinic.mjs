// The consultation layer of the test double (docs/consultation-api.md) for mock-medrtc.mjs:
// tenants and users (admin CLI), cookie sign-in with TOTP and CSRF, appointments,
// invitations, redeem, and the server-enforced waiting room on the WebSocket. State lives
// in <data dir>/clinic.json so a restart on the same data dir keeps it. A test double,
// not a reference: passwords use scrypt, not argon2id; nothing here is hardened.
import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { base32Encode as base32, totp } from './totp.mjs';

const newId = (prefix) => `${prefix}_${randomBytes(6).toString('hex')}`;
const hashPassword = (pw, salt = randomBytes(16).toString('hex')) => `${salt}:${scryptSync(pw, salt, 32).toString('hex')}`;
function checkPassword(pw, stored) {
  const [salt] = String(stored).split(':');
  const a = Buffer.from(hashPassword(pw, salt));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

function loadState(dataDir) {
  const file = path.join(dataDir, 'clinic.json');
  const state = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { tenants: {}, users: {}, appointments: {}, invitations: {}, guests: {} };
  return { state, save: () => writeFileSync(file, JSON.stringify(state, null, 1)) };
}

/** `admin create-tenant` / `admin create-user`; returns an exit code. */
export async function adminCommand(argv, opt) {
  const dataDir = opt('--data-dir', 'data');
  const { state, save } = loadState(dataDir);
  if (argv[1] === 'create-tenant') {
    const id = newId('tn');
    state.tenants[id] = { id, name: opt('--name', 'Practice'), require_totp: argv.includes('--require-totp'), branding: { display_name: opt('--name', 'Practice') } };
    save();
    console.log(id);
    return 0;
  }
  if (argv[1] === 'create-user') {
    let password = opt('--password', '');
    if (argv.includes('--password-stdin')) {
      password = '';
      for await (const chunk of process.stdin) {
        password += chunk;
      }
      password = password.replace(/\r?\n$/, '');
    }
    const id = newId('u');
    const email = opt('--email', '');
    const user = { id, tenant_id: opt('--tenant', ''), email, role: opt('--role', 'practitioner'), password: hashPassword(password), display_name: opt('--display-name', email) };
    if (argv.includes('--totp')) {
      user.totp_secret = base32(randomBytes(20));
    }
    state.users[id] = user;
    save();
    console.log(id);
    if (user.totp_secret) {
      console.log(`otpauth://totp/medrtc:${encodeURIComponent(email)}?secret=${user.totp_secret}&issuer=medrtc&algorithm=SHA1&digits=6&period=30`);
      console.log(`secret: ${user.totp_secret}`);
    }
    return 0;
  }
  console.error('usage: admin create-tenant|create-user ...');
  return 2;
}

/**
 * @param {{dataDir: string, rooms: Map<string, any>, issueToken: Function, send: Function, readJson: Function, serveFile: Function}} deps
 */
export function createClinic({ dataDir, rooms, issueToken, send, readJson, serveFile }) {
  const { state, save } = loadState(dataDir);
  // The admin CLI writes tenants and users into the file while we run: pick them up.
  const refresh = () => {
    const fresh = loadState(dataDir).state;
    Object.assign(state.tenants, fresh.tenants);
    Object.assign(state.users, fresh.users);
  };
  const sessions = new Map(); // sid → {user_id, csrf, last}
  const idleMs = Number(process.env.MEDRTC_IDLE_LOGOFF_MS ?? 15 * 60_000);
  const ensureRoom = (id) => {
    if (!rooms.has(id)) {
      rooms.set(id, { id, ended: false, members: new Map(), queue: [] });
    }
    const room = rooms.get(id);
    room.queue ??= [];
    return room;
  };
  for (const appt of Object.values(state.appointments)) {
    const room = ensureRoom(appt.room_id);
    room.ended = appt.status === 'fulfilled' || appt.status === 'cancelled';
  }

  const problem = (res, status, code, extra = {}) => send(res, status, { type: 'about:blank', title: code, status, code }, extra);
  const cookieSid = (req) => /(?:^|;\s*)medrtc_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
  const publicUser = (u) => ({ id: u.id, email: u.email, role: u.role, display_name: u.display_name });
  const publicTenant = (tn) => ({ id: tn.id, name: tn.name, branding: tn.branding });
  const newInvitation = (appt, role) => {
    const token = randomBytes(24).toString('base64url');
    let code;
    do {
      code = String(randomInt(0, 1_000_000_000)).padStart(9, '0');
    } while (Object.values(state.invitations).some((i) => i.code === code));
    const inv = { id: newId('inv'), appointment_id: appt.id, role, token, code, expires_at: new Date(Date.parse(appt.end) + 30 * 60_000).toISOString(), status: 'active', guest: null };
    state.invitations[inv.id] = inv;
    return inv;
  };
  const publicInvitation = (inv) => ({ id: inv.id, url: `/join#i=${inv.token}`, code: inv.code, expires_at: inv.expires_at, role: inv.role });
  const waitingCount = (appt) => rooms.get(appt.room_id)?.queue?.length ?? 0;
  const publicAppointment = (appt) => ({ ...appt, waiting_count: waitingCount(appt) });

  function auth(req, res) {
    const sid = cookieSid(req);
    const s = sid && sessions.get(sid);
    if (!s) {
      problem(res, 401, 'unauthenticated');
      return null;
    }
    if (Date.now() - s.last > idleMs) {
      sessions.delete(sid);
      problem(res, 401, 'session_expired');
      return null;
    }
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) {
      problem(res, 403, 'csrf_failed');
      return null;
    }
    s.last = Date.now();
    return { session: s, user: state.users[s.user_id] };
  }
  function ownAppointment(user, id, res) {
    const appt = state.appointments[id];
    if (!appt || appt.tenant_id !== user.tenant_id) {
      problem(res, 404, 'not_found');
      return null;
    }
    return appt;
  }

  async function handleHttp(req, res, p) {
    let m;
    if (req.method === 'GET') {
      const page = { '/login': 'login.html', '/dashboard': 'dashboard.html', '/join': 'join.html' }[p]
        ?? (/^\/consult\/[^/]+$/.test(p) ? 'consult.html' : /^\/[a-z]+\.html$/.test(p) ? p.slice(1) : null);
      if (page) {
        await serveFile(res, page);
        return true;
      }
      if (p === '/api/v1/network-check') {
        send(res, 200, { ok: true, server_time: new Date().toISOString() }, { 'cache-control': 'no-store' });
        return true;
      }
    }
    if (req.method === 'POST' && p === '/api/v1/auth/login') {
      refresh();
      const body = await readJson(req);
      const user = Object.values(state.users).find((u) => u.email === body.email);
      if (!user || !checkPassword(String(body.password ?? ''), user.password)) {
        problem(res, 401, 'invalid_credentials');
        return true;
      }
      const tenant = state.tenants[user.tenant_id];
      if (user.totp_secret || tenant?.require_totp) {
        if (!body.totp) {
          problem(res, 401, 'totp_required');
          return true;
        }
        const ok = [-1, 0, 1].some((o) => totp(user.totp_secret ?? '', Date.now(), o) === String(body.totp));
        if (!ok) {
          problem(res, 401, 'totp_invalid');
          return true;
        }
      }
      const sid = randomBytes(24).toString('base64url');
      const csrf = randomBytes(18).toString('base64url');
      sessions.set(sid, { user_id: user.id, csrf, last: Date.now() });
      send(res, 200, { user: publicUser(user), tenant: publicTenant(tenant), csrf_token: csrf }, { 'set-cookie': `medrtc_session=${sid}; HttpOnly; SameSite=Strict; Path=/` });
      return true;
    }
    if (p === '/api/v1/auth/me' && req.method === 'GET') {
      const a = auth(req, res);
      if (a) {
        send(res, 200, { user: publicUser(a.user), tenant: publicTenant(state.tenants[a.user.tenant_id]), csrf_token: a.session.csrf });
      }
      return true;
    }
    if (p === '/api/v1/auth/logout' && req.method === 'POST') {
      sessions.delete(cookieSid(req));
      res.writeHead(204, { 'set-cookie': 'medrtc_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' }).end();
      return true;
    }
    if (p === '/api/v1/invitations/redeem' && req.method === 'POST') {
      const body = await readJson(req);
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (!name || name.length > 100) {
        problem(res, 400, 'invalid_request');
        return true;
      }
      const inv = Object.values(state.invitations).find((i) => (body.token && i.token === body.token) || (body.code && i.code === body.code));
      if (!inv) {
        problem(res, 404, 'invitation_not_found');
        return true;
      }
      if (inv.status === 'revoked') {
        problem(res, 410, 'invitation_revoked');
        return true;
      }
      if (Date.parse(inv.expires_at) < Date.now()) {
        problem(res, 410, 'invitation_expired');
        return true;
      }
      if (inv.guest) {
        problem(res, 410, 'invitation_used');
        return true;
      }
      const appt = state.appointments[inv.appointment_id];
      const guest = { id: newId('g'), name, role: inv.role, invitation_id: inv.id, admitted: false };
      inv.guest = guest.id;
      state.guests[guest.id] = guest;
      save();
      const ttl = Math.max(60, Math.floor((Date.parse(inv.expires_at) - Date.now()) / 1000));
      const { token } = issueToken(appt.room_id, { identity: guest.id, name, role: inv.role, ttl_seconds: ttl });
      send(res, 200, { join_token: token, role: inv.role, appointment: { start: appt.start, end: appt.end }, tenant: publicTenant(state.tenants[appt.tenant_id]) });
      return true;
    }
    if (!p.startsWith('/api/v1/appointments') && !p.startsWith('/api/v1/invitations/')) {
      return false;
    }
    const a = auth(req, res);
    if (!a) {
      return true;
    }
    const { user } = a;
    if (p === '/api/v1/appointments' && req.method === 'POST') {
      const body = await readJson(req);
      if (!body.start || !body.end || !(Date.parse(body.end) > Date.parse(body.start))) {
        problem(res, 400, 'invalid_request');
        return true;
      }
      const appt = { id: newId('ap'), tenant_id: user.tenant_id, status: 'booked', start: body.start, end: body.end, title: body.title ?? null, practitioner_id: user.id, patient_reference: body.patient_reference ?? null, room_id: newId('r'), created_at: new Date().toISOString() };
      state.appointments[appt.id] = appt;
      ensureRoom(appt.room_id);
      const inv = newInvitation(appt, 'patient');
      save();
      send(res, 201, { ...publicAppointment(appt), invitation: publicInvitation(inv), host_url: `/consult/${appt.id}` });
      return true;
    }
    if (p === '/api/v1/appointments' && req.method === 'GET') {
      const list = Object.values(state.appointments).filter((ap) => ap.tenant_id === user.tenant_id).map(publicAppointment);
      send(res, 200, { appointments: list });
      return true;
    }
    if ((m = /^\/api\/v1\/appointments\/([^/]+)(\/[a-z-]+)?$/.exec(p))) {
      const appt = ownAppointment(user, m[1], res);
      if (!appt) {
        return true;
      }
      const sub = m[2] ?? '';
      if (sub === '' && req.method === 'GET') {
        send(res, 200, publicAppointment(appt));
      } else if (sub === '/cancel' && req.method === 'POST') {
        appt.status = 'cancelled';
        endRoom(appt, 'cancelled');
        send(res, 200, publicAppointment(appt));
      } else if (sub === '/invitations' && req.method === 'POST') {
        const body = await readJson(req);
        const role = ['patient', 'interpreter', 'carer'].includes(body.role) ? body.role : null;
        if (!role) {
          problem(res, 400, 'invalid_request');
          return true;
        }
        const inv = newInvitation(appt, role);
        save();
        send(res, 201, publicInvitation(inv));
      } else if (sub === '/host-token' && req.method === 'POST') {
        const { token } = issueToken(appt.room_id, { identity: `host-${user.id}`, name: user.display_name, role: 'host', ttl_seconds: 4 * 3600 });
        send(res, 200, { token });
      } else {
        problem(res, 404, 'not_found');
      }
      return true;
    }
    problem(res, 404, 'not_found');
    return true;
  }

  // ---------------------------------------------------------------- waiting room
  const isGuestRole = (role) => ['patient', 'interpreter', 'carer'].includes(role);
  const hosts = (room) => [...room.members.values()].filter((mb) => mb.role === 'host');
  function queueMessage(room) {
    return { type: 'waiting_room', queue: room.queue.map((mb) => ({ participant_id: mb.id, name: mb.name, role: mb.role, waiting_since: mb.waitingSince })) };
  }
  function queueChanged(room) {
    room.queue.forEach((mb, i) => mb.send({ type: 'waiting', position: i + 1 }));
    const msg = queueMessage(room);
    hosts(room).forEach((h) => h.send(msg));
  }
  function endRoom(appt, reason) {
    const room = ensureRoom(appt.room_id);
    room.ended = true;
    for (const inv of Object.values(state.invitations)) {
      if (inv.appointment_id === appt.id) {
        inv.status = 'revoked';
      }
    }
    save();
    for (const mb of [...room.members.values(), ...room.queue]) {
      mb.send({ type: 'room_ended', reason });
      mb.ws.close(4007, 'room_ended');
    }
    room.queue = [];
  }

  /** Called by the mock's join after the token checked out: true when the member waits. */
  function holdInQueue(member, room) {
    if (!isGuestRole(member.role) || state.guests[member.identity]?.admitted) {
      return false;
    }
    room.queue = room.queue.filter((mb) => mb.identity !== member.identity);
    member.waiting = true;
    member.waitingSince = new Date().toISOString();
    room.queue.push(member);
    queueChanged(room);
    return true;
  }
  function onJoined(member, room) {
    if (member.role === 'host') {
      member.send(queueMessage(room));
    }
  }
  function onClose(member) {
    const room = member.room;
    if (room && member.waiting) {
      room.queue = room.queue.filter((mb) => mb !== member);
      queueChanged(room);
    }
  }

  /** Consultation messages; returns true when handled. `complete(member)` finishes a join. */
  function onMessage(member, msg, error, complete) {
    const room = member.room;
    const hostOnly = ['admit', 'deny', 'mute_participant', 'remove_participant', 'end_consultation'];
    if (member.waiting) {
      if (msg.type === 'ping' || msg.type === 'leave') {
        return false;
      }
      error('forbidden', 'waiting');
      return true;
    }
    if (hostOnly.includes(msg.type) && member.role !== 'host') {
      error('forbidden', 'host only', msg.type);
      return true;
    }
    const target = (id) => room.queue.find((mb) => mb.id === id) ?? room.members.get(id);
    switch (msg.type) {
      case 'admit': {
        const mb = room.queue.find((q) => q.id === msg.participant_id);
        if (!mb) {
          error(room.members.has(msg.participant_id) ? 'already_admitted' : 'not_waiting', 'not waiting', msg.type);
          return true;
        }
        room.queue = room.queue.filter((q) => q !== mb);
        mb.waiting = false;
        if (state.guests[mb.identity]) {
          state.guests[mb.identity].admitted = true;
          save();
        }
        complete(mb);
        queueChanged(room);
        return true;
      }
      case 'deny': {
        const mb = room.queue.find((q) => q.id === msg.participant_id);
        if (!mb) {
          error('not_waiting', 'not waiting', msg.type);
          return true;
        }
        room.queue = room.queue.filter((q) => q !== mb);
        mb.waiting = false;
        mb.send({ type: 'denied' });
        mb.ws.close(4016, 'denied');
        queueChanged(room);
        return true;
      }
      case 'mute_participant': {
        const mb = target(msg.participant_id);
        if (mb && !mb.waiting) {
          mb.send({ type: 'track_state', participant_id: mb.id, kind: msg.kind ?? 'audio', muted: true });
        }
        return true;
      }
      case 'remove_participant': {
        const mb = target(msg.participant_id);
        if (mb) {
          mb.send({ type: 'removed' });
          mb.ws.close(4017, 'removed');
        }
        return true;
      }
      case 'end_consultation': {
        const appt = Object.values(state.appointments).find((ap) => ap.room_id === room.id);
        if (appt) {
          appt.status = 'fulfilled';
          endRoom(appt, 'ended_by_host');
        }
        return true;
      }
      case 'chat': {
        const text = typeof msg.text === 'string' ? msg.text : '';
        if (!text || [...text].length > 2000) {
          error(text ? 'chat_too_long' : 'invalid_message', 'chat', msg.type);
          return true;
        }
        const out = { type: 'chat', from: member.id, name: member.name, text, sent_at: new Date().toISOString() };
        room.members.forEach((mb) => mb.send(out));
        return true;
      }
      default:
        return false;
    }
  }

  return { handleHttp, holdInQueue, onJoined, onClose, onMessage };
}
