// Issue 10 item 6, on disk: 30,000 rate-limited sign-ins were 30,000 audit events (17 MB,
// one fdatasync each on the control thread). Now one address's flood is a few events.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from '../support/server.mjs';

const ATTEMPTS = 3000;

let server;

before(async () => {
  server = await startServer({ workers: 1 });
});

after(async () => {
  await server?.stop();
});

async function auditBytes() {
  return (await stat(path.join(server.dataDir, 'audit', 'events.log'))).size;
}

async function signIn(i) {
  const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.baseUrl },
    body: JSON.stringify({ email: `nobody${i % 40}@example.org`, password: 'wrong password' }),
  });
  await res.text();
  return res.status;
}

test(`${ATTEMPTS} failed sign-ins from one address add a bounded number of audit bytes`, async () => {
  const before = await auditBytes();
  const statuses = new Map();
  for (let i = 0; i < ATTEMPTS; i += 1) {
    const status = await signIn(i);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  assert.equal(statuses.get(401), 20, `statuses: ${JSON.stringify([...statuses])}`);
  assert.equal(statuses.get(429), ATTEMPTS - 20);
  const added = (await auditBytes()) - before;
  // 20 failures + one rate-limited event (+ maybe a summary): ~22 events of < 1 KiB each.
  assert.ok(added < 24 * 1024, `the audit log grew ${added} bytes for one address's ${ATTEMPTS} attempts`);
  const log = server.logs();
  const refusedLines = log.split('\n').filter((l) => l.includes('too_many_attempts')).length;
  assert.ok(refusedLines <= 2, `${refusedLines} log lines for refused sign-ins`);
});
