// Webhooks with the real binary (issue 15 item 3): a local receiver that fails the first
// three deliveries and is down while the server restarts still gets every event of a
// call, each with a valid Standard Webhooks signature. Retries may repeat an event (at
// least once): the receiver dedups by webhook-id and checks that every event id the
// server's delivery log names arrived.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { test } from 'node:test';
import { SignalingClient } from '../interop/signaling.mjs';
import { createRoom, createToken, startServer, waitFor, wsUrl } from '../support/server.mjs';

const FAILURES = 3;

/** Verifies one request as the Standard Webhooks spec says (5 minutes of tolerance). */
function verify(secret, headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) {
    return 'missing headers';
  }
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) {
    return `timestamp ${timestamp} out of tolerance`;
  }
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    if (version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)) {
      return null;
    }
  }
  return `no valid signature in ${signatures}`;
}

/** A receiver that answers 503 to the first `failures` requests, then verifies and keeps. */
function receiverState(failures) {
  return { secret: '', failuresLeft: failures, requests: 0, byId: new Map(), duplicates: 0, invalid: [] };
}

async function listen(state, port = 0) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      state.requests += 1;
      if (state.failuresLeft > 0) {
        state.failuresLeft -= 1;
        res.writeHead(503).end();
        return;
      }
      const problem = verify(state.secret, req.headers, body);
      if (problem) {
        state.invalid.push(problem);
        res.writeHead(400).end();
        return;
      }
      const id = req.headers['webhook-id'];
      if (state.byId.has(id)) {
        state.duplicates += 1;
      } else {
        state.byId.set(id, JSON.parse(body));
      }
      res.writeHead(204).end();
    });
  });
  // The port of the first start is taken again after the restart; the kernel may hold it
  // a moment longer.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      break;
    } catch (err) {
      if (attempt >= 20) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

async function api(server, method, path, body) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${server.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function join(server, roomId, identity, role) {
  const { token } = await createToken(server, roomId, { identity, name: `Name of ${identity}`, role });
  const client = await SignalingClient.connect(wsUrl(server));
  client.send({ type: 'join', token });
  return client;
}

test('a receiver that fails three times and is down across a restart gets every event of the call, signed', async () => {
  const state = receiverState(FAILURES);
  let receiver = await listen(state);
  const server = await startServer({ args: ['--webhook-allow-private-targets', '--webhook-retry-base-ms', '200'] });
  try {
    const hook = await api(server, 'POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${receiver.port}/medrtc` });
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    state.secret = hook.secret;

    // The call: host, then a guest through the waiting room.
    const room = await createRoom(server, { waiting_room: true });
    const host = await join(server, room, 'dr-weber', 'host');
    await host.next('joined', { timeout: 10_000 });
    const guest = await join(server, room, 'erika', 'guest');
    await guest.next('waiting', { timeout: 10_000 });
    const queue = await host.next((m) => m.type === 'waiting_room' && m.queue.length === 1, { timeout: 10_000 });
    host.send({ type: 'admit', participant_id: queue.queue[0].participant_id });
    await guest.next('joined', { timeout: 10_000 });

    // Three 503s, then the first deliveries get through.
    await waitFor(() => state.byId.size > 0, { what: 'a delivery after three failures', timeoutMs: 20_000 });
    assert.equal(state.requests > FAILURES, true);

    // The receiver goes down; the call ends while it is away.
    await receiver.close();
    guest.send({ type: 'leave' });
    await host.next('participant_left', { timeout: 10_000 });
    host.send({ type: 'end_consultation' });
    await host.next('room_ended', { timeout: 10_000 });
    await waitFor(async () => {
      const log = await api(server, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`);
      return log.deliveries.some((d) => d.event_type === 'room_finished' && d.last_error === 'connect');
    }, { what: 'a failed attempt to reach the stopped receiver' });

    // The server restarts with deliveries still queued; then the receiver comes back.
    await server.restart();
    receiver = await listen(state, receiver.port);

    const log = await waitFor(async () => {
      const { deliveries } = await api(server, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`);
      return deliveries.every((d) => d.status === 'delivered') ? deliveries : null;
    }, { what: 'every delivery delivered', timeoutMs: 30_000 });

    assert.deepEqual(state.invalid, [], 'every request carried a valid signature');
    const serverIds = new Set(log.map((d) => d.event_id));
    for (const id of serverIds) {
      assert.ok(state.byId.has(id), `event ${id} (${log.find((d) => d.event_id === id).event_type}) arrived`);
    }
    const received = [...state.byId.values()];
    const count = (type) => received.filter((e) => e.type === type).length;
    assert.equal(count('room_started'), 1);
    assert.equal(count('participant_joined'), 2);
    assert.equal(count('waiting_room_entered'), 1);
    assert.equal(count('admitted'), 1);
    assert.equal(count('participant_left'), 2);
    assert.equal(count('consultation_ended'), 1);
    assert.equal(count('room_finished'), 1);
    for (const event of received) {
      assert.equal(event.data.room_id, room);
      assert.ok(!JSON.stringify(event).includes('Name of'), 'ids only: no names without include_names');
    }
    const attempts = log.reduce((sum, d) => sum + d.attempts, 0);
    assert.ok(attempts >= log.length + FAILURES, `retries are counted (${attempts} attempts)`);
  } finally {
    await receiver.close();
    await server.stop();
  }
});

test('an endpoint that opted in gets names; a private target is refused without the operator flag', async () => {
  const server = await startServer();
  try {
    const res = await fetch(`${server.baseUrl}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal((await res.json()).code, 'webhook_target_refused');
  } finally {
    await server.stop();
  }
  const state = receiverState(0);
  const receiver = await listen(state);
  const open = await startServer({ args: ['--webhook-allow-private-targets', '--webhook-retry-base-ms', '200'] });
  try {
    const hook = await api(open, 'POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${receiver.port}/medrtc`, events: ['participant_joined'], include_names: true,
    });
    state.secret = hook.secret;
    const room = await createRoom(open);
    const alice = await join(open, room, 'alice', 'host');
    await alice.next('joined', { timeout: 10_000 });
    const [event] = await waitFor(() => (state.byId.size > 0 ? [...state.byId.values()] : null));
    assert.equal(event.type, 'participant_joined', 'only the subscribed type');
    assert.equal(event.data.name, 'Name of alice');
    assert.equal(event.data.identity, 'alice');
    alice.close();
  } finally {
    await receiver.close();
    await open.stop();
  }
});
