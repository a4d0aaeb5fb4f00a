// serve --log-format json (docs/operations.md "Log lines") through a real call of two werift
// peers, a refused join, a failed sign-in and the end of the room: every line on stderr is
// one JSON object with time, level and an event name, and none carries a name, an identity,
// an email, a token or an API key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom } from './harness.mjs';
import { joinRoom } from './werift-peer.mjs';

let server;

before(async () => {
  server = await startServer({ workers: 1, args: ['--log-format', 'json'] });
});

after(async () => {
  await server?.stop();
});

const LEVELS = new Set(['trace', 'debug', 'info', 'warning', 'error', 'critical']);

test('--log-format json: one object per line with time, level, event and ids only', { timeout: 90000 }, async () => {
  const roomId = await createRoom(server);
  const names = { host: 'Quorvex Hostname jsonlog', guest: 'Zyxwvut Patientname jsonlog' };
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: 'host-jsonlog-identity', name: names.host, role: 'host' }),
    createToken(server, roomId, { identity: 'guest-jsonlog-identity', name: names.guest, role: 'guest' }),
  ]);
  const a = await joinRoom({ wsUrl: wsUrl(server), token: ta.token });
  const b = await joinRoom({ wsUrl: wsUrl(server), token: tb.token });
  try {
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
  } finally {
    await closeAll([a, b]);
  }
  const email = 'jsonlog.person@example.org';
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'Secret-Password-jsonlog' }),
  });
  assert.equal(login.status, 401);
  const ended = await fetch(`${server.baseUrl}/api/v1/rooms/${roomId}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.apiKey}` } });
  assert.equal(ended.status, 204);
  await server.stop();  // the stop events too
  const all = server.logs();

  // stdout carries the listening line and the setup link (for the console, not a log).
  const lines = all.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('medrtc listening on') && !l.startsWith('medrtc setup: open'));
  assert.ok(lines.length >= 10, `only ${lines.length} log lines:\n${all}`);
  const events = [];
  for (const line of lines) {
    let o;
    assert.doesNotThrow(() => { o = JSON.parse(line); }, `not JSON: ${line}`);
    assert.equal(typeof o, 'object', line);
    assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, line);
    assert.ok(LEVELS.has(o.level), `level in ${line}`);
    assert.match(o.event, /^[a-z0-9_]+$/, `event name in ${line}`);
    for (const [key, value] of Object.entries(o)) {
      assert.match(key, /^[a-z0-9_]+$/, `field name ${key} in ${line}`);
      assert.ok(['string', 'number', 'boolean'].includes(typeof value), `field ${key} in ${line} is ${typeof value}`);
    }
    events.push(o);
  }
  const named = (event) => events.filter((o) => o.event === event);
  assert.equal(named('room_created')[0]?.room, roomId);
  assert.equal(named('participant_joined').length, 2);
  assert.ok(named('participant_joined').every((o) => o.room === roomId && /^p_/.test(o.participant)), JSON.stringify(named('participant_joined')));
  assert.equal(named('sign_in_failed').length, 1);
  assert.equal(named('room_ended')[0]?.room, roomId);
  assert.equal(named('server_stopped').length, 1);

  for (const personal of [names.host, names.guest, 'Quorvex', 'Zyxwvut', 'host-jsonlog-identity', 'guest-jsonlog-identity',
    email, 'jsonlog.person', 'Secret-Password-jsonlog', ta.token, tb.token, server.apiKey]) {
    assert.ok(!lines.some((l) => l.includes(personal)), `the log shows ${personal}`);
  }
});
