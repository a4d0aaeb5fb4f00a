// tests/support/netns-call.mjs leaves nothing behind when a test fails: a namespace, a
// Chromium or a server outliving its test would change the network or the load the next
// test sees. Both ways a netns test fails are covered: its body throws, or the setup
// itself does (here the server refuses an unknown flag after the namespace exists).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { netnsUnavailable, startNetnsCall, withNetnsCall } from '../support/netns-call.mjs';

const run = promisify(execFile);
const unavailable = await netnsUnavailable();

async function namespaces() {
  return (await run('ip', ['netns', 'list'])).stdout;
}

test('a failing body still tears down pages, browsers, server and namespaces', { skip: unavailable ?? false, timeout: 60_000 }, async (t) => {
  let seen = null;
  await assert.rejects(withNetnsCall(t, { namespaces: { bob: {} } }, async (call) => {
    seen = call;
    assert.match(await namespaces(), new RegExp(`^${call.netns.name}\\b`, 'm'));
    assert.ok(call.browsers.bob.isConnected());
    throw new Error('the test failed');
  }), /the test failed/);
  assert.doesNotMatch(await namespaces(), new RegExp(`^${seen.netns.name}\\b`, 'm'), 'the namespace was left behind');
  assert.equal(seen.browsers.bob.isConnected(), false, 'the namespaced Chromium was left running');
  assert.notEqual(seen.server.process.exitCode ?? seen.server.process.signalCode, null, 'the server was left running');
});

test('a setup that fails after the namespace exists removes it', { skip: unavailable ?? false, timeout: 60_000 }, async (t) => {
  const before = await namespaces();
  await assert.rejects(startNetnsCall(t, { namespaces: { bob: {} }, server: { args: ['--no-such-flag'] } }));
  assert.equal(await namespaces(), before, 'a namespace was left behind');
});
