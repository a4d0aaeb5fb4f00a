// Graceful drain with the real binary (issue 15 item 4): the first SIGTERM makes /readyz
// 503 and refuses new calls while a running call goes on; at the drain timeout the call
// gets room_ended "server_shutdown" and the process exits 0. A second SIGTERM stops at
// once, and a drain whose last call ends stops early.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignalingClient } from '../interop/signaling.mjs';
import { createRoom, createToken, startServer } from '../support/server.mjs';

const DRAIN_SECONDS = 4;

function wsUrl(server) {
  return `${server.baseUrl.replace(/^http/, 'ws')}/api/v1/ws`;
}

async function join(server, roomId, identity) {
  const { token } = await createToken(server, roomId, { identity, name: identity });
  const client = await SignalingClient.connect(wsUrl(server));
  client.send({ type: 'join', token });
  await client.next('joined', { timeout: 10_000 });
  return { client, token };
}

function exitOf(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function waitForDraining(server) {
  for (let i = 0; i < 100; i += 1) {
    const res = await fetch(`${server.baseUrl}/readyz`);
    await res.text();
    if (res.status === 503) {
      return res;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('/readyz never turned 503 after SIGTERM');
}

async function roundTrip(client) {
  const from = client.messages.length;
  client.send({ type: 'ping' });
  await client.next('pong', { from, timeout: 3000 });
}

test('first SIGTERM drains: not ready, no new calls, the running call goes on until the timeout', async () => {
  const server = await startServer({ args: ['--drain-timeout', String(DRAIN_SECONDS)] });
  try {
    const ready = await fetch(`${server.baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const live = await createRoom(server);
    const idle = await createRoom(server);
    const { token: idleToken } = await createToken(server, idle, { identity: 'late', name: 'Late' });
    const { client: alice } = await join(server, live, 'alice');
    const exited = exitOf(server.process);

    server.process.kill('SIGTERM');
    const signalledAt = Date.now();
    const readyz = await waitForDraining(server);
    assert.equal(readyz.headers.get('content-type'), 'application/problem+json');
    assert.ok(readyz.headers.get('retry-after'));
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200, 'still alive');

    const newRoom = await fetch(`${server.baseUrl}/api/v1/rooms`, {
      method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(newRoom.status, 503);
    assert.ok(newRoom.headers.get('retry-after'));
    assert.equal((await newRoom.json()).code, 'server_draining');
    await assert.rejects(createToken(server, idle, { identity: 'x' }), (err) => err.status === 503);

    // A join that would start a new call is refused; the client is told to come back.
    const late = await SignalingClient.connect(wsUrl(server));
    late.send({ type: 'join', token: idleToken });
    await late.nextError('server_draining');
    assert.equal((await late.waitClosed()).code, 1001);

    // The running call takes a participant in and goes on.
    const { client: bob } = await join(server, live, 'bob');
    await alice.next('participant_joined');
    await roundTrip(alice);
    await roundTrip(bob);

    const ended = await alice.next('room_ended', { timeout: (DRAIN_SECONDS + 5) * 1000 });
    assert.equal(ended.reason, 'server_shutdown');
    assert.equal((await bob.next('room_ended')).reason, 'server_shutdown');
    const waited = Date.now() - signalledAt;
    assert.ok(waited >= (DRAIN_SECONDS - 1) * 1000, `the call was ended after ${waited} ms, before the drain timeout`);
    assert.deepEqual(await exited, { code: 0, signal: null });
  } finally {
    await server.stop();
  }
});

test('a second SIGTERM during the drain stops at once', async () => {
  const server = await startServer({ args: ['--drain-timeout', '120'] });
  try {
    const { client: alice } = await join(server, await createRoom(server), 'alice');
    const exited = exitOf(server.process);
    server.process.kill('SIGTERM');
    await waitForDraining(server);
    await roundTrip(alice);
    const before = Date.now();
    server.process.kill('SIGTERM');
    assert.equal((await alice.next('room_ended', { timeout: 5000 })).reason, 'server_shutdown');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - before < 5000);
  } finally {
    await server.stop();
  }
});

test('the drain ends as soon as the last call does', async () => {
  const server = await startServer({ args: ['--drain-timeout', '120'] });
  try {
    const { client: alice } = await join(server, await createRoom(server), 'alice');
    const exited = exitOf(server.process);
    server.process.kill('SIGTERM');
    await waitForDraining(server);
    alice.send({ type: 'leave' });
    const before = Date.now();
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - before < 5000, 'the server waited for the drain timeout with no call left');
  } finally {
    await server.stop();
  }
});
