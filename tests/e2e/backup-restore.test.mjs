// `medrtc admin backup` / `admin restore` (issue 15 item 9). A backup taken while
// `medrtc serve` runs and keeps writing (rooms, sign-in audit events) restores into a
// fresh data dir where `medrtc audit verify` passes, a server starts, the practitioner
// created before the backup signs in (the sealed email is found through the restored
// store-index key) and a room created before it reads back. The restored tree is
// owner-only. A wrong passphrase, a tampered or cut-off archive, a key file where a
// passphrase was used, a non-empty target and a passphrase file others may read are each
// refused with a plain message, and a refused restore writes nothing.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { createRoom, repoRoot, runAdmin, startServer } from '../support/server.mjs';

const execFileP = promisify(execFile);
const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');

let server;
let scratch;
let passphrase;
let archive;
let restoredDir;
const user = { email: `dr.backup+${randomBytes(3).toString('hex')}@example.org`, password: `pw-${randomBytes(9).toString('base64url')}` };
let roomBefore;

/** Runs medrtc; resolves { code, stdout, stderr } whatever the exit status. */
async function medrtc(args) {
  try {
    const { stdout, stderr } = await execFileP(bin, args, { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') {
      throw err;
    }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function signIn(baseUrl) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  return { status: res.status, body: await res.text() };
}

/** `medrtc serve` on an existing data dir; returns { baseUrl, stop() }. */
async function serveDataDir(dataDir) {
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--workers', '1', '--drain-timeout', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 15_000);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}:\n${output}`)); });
  });
  return {
    baseUrl,
    async stop() {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Every folder and file under dir with its permission bits. */
async function modes(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    out.push({ path: prefix + entry.name, dir: entry.isDirectory(), mode: (await stat(full)).mode & 0o777 });
    if (entry.isDirectory()) {
      out.push(...await modes(full, `${prefix}${entry.name}/`));
    }
  }
  return out;
}

async function exists(p) {
  return stat(p).then(() => true, () => false);
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medrtc-backup-'));
  passphrase = path.join(scratch, 'passphrase');
  await writeFile(passphrase, 'correct horse battery staple\n', { mode: 0o600 });
  server = await startServer();
  const tenant = await runAdmin(server, ['create-tenant', '--name', 'Praxis Backup', '--region', 'eu-de']);
  const tenantId = /\bt_[0-9a-f]+/.exec(tenant.stdout)[0];
  await runAdmin(server, ['create-user', '--tenant', tenantId, '--email', user.email, '--role', 'practitioner', '--password-stdin'],
    { input: `${user.password}\n` });
  assert.equal((await signIn(server.baseUrl)).status, 200);
  roomBefore = await createRoom(server, { name: 'Before the backup' });
});

after(async () => {
  await server?.stop();
  if (scratch) {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('a backup taken while serve writes restores into a fresh data dir that verifies, serves and signs in', async () => {
  // Writers: rooms into the store and failed sign-ins into the audit log, until told to stop.
  let writing = true;
  let writes = 0;
  const writer = (async () => {
    for (let i = 0; writing; i += 1) {
      await createRoom(server, { name: `During ${i}` });
      await fetch(`${server.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.baseUrl },
        body: JSON.stringify({ email: `nobody${i % 10}@example.org`, password: 'wrong' }),
      }).then((r) => r.text());
      writes += 1;
    }
  })();
  while (writes < 3) {
    await new Promise((r) => setTimeout(r, 20));
  }
  archive = path.join(scratch, 'medrtc.backup');
  const writesAtStart = writes;
  const backup = await medrtc(['admin', 'backup', '--data-dir', server.dataDir, '--out', archive, '--passphrase-file', passphrase]);
  const writesDuringBackup = writes - writesAtStart;
  writing = false;
  await writer;
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /^wrote .*medrtc\.backup: \d+ files and folders, \d+ bytes before encryption$/m);
  assert.ok(writesDuringBackup > 0, 'the server kept writing while the backup ran');
  assert.equal((await stat(archive)).mode & 0o777, 0o600);
  // Nothing of the plaintext is left beside the archive.
  assert.deepEqual((await readdir(scratch)).sort(), ['medrtc.backup', 'passphrase']);
  const bytes = await readFile(archive);
  assert.equal(bytes.subarray(0, 8).toString(), 'MEDRTCBK');
  assert.ok(!bytes.includes(Buffer.from('Before the backup')), 'the archive is encrypted');

  restoredDir = path.join(scratch, 'restored');
  const restore = await medrtc(['admin', 'restore', '--in', archive, '--data-dir', restoredDir, '--passphrase-file', passphrase]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.match(restore.stdout, /restored \d+ files and folders into/);

  const tree = await modes(restoredDir);
  assert.equal((await stat(restoredDir)).mode & 0o777, 0o700);
  for (const entry of tree) {
    assert.equal(entry.mode, entry.dir ? 0o700 : 0o600, `${entry.path} is ${entry.mode.toString(8)}`);
  }
  const names = tree.map((e) => e.path);
  for (const wanted of ['medrtc.db', 'token.key', 'store-index.key', 'audit/events.log', 'audit/checkpoints.log', 'audit/signing.key']) {
    assert.ok(names.includes(wanted), `${wanted} restored (have ${names.join(', ')})`);
  }
  assert.ok(!names.some((n) => n.endsWith('-wal') || n.endsWith('-shm')), 'the store is one self-contained file');

  const verify = await medrtc(['audit', 'verify', '--data-dir', restoredDir]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^audit log OK: \d+ events/m);

  const restored = await serveDataDir(restoredDir);
  try {
    const signedIn = await signIn(restored.baseUrl);
    assert.equal(signedIn.status, 200, signedIn.body);
    assert.equal(JSON.parse(signedIn.body).user.email, user.email, "the sealed email opens with the restored keys");
    const room = await fetch(`${restored.baseUrl}/api/v1/rooms/${roomBefore}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    assert.equal(room.status, 200, await room.clone().text());
    assert.equal((await room.json()).name, 'Before the backup');
  } finally {
    await restored.stop();
  }
  // The restored server appended to the copied audit log: it still verifies.
  const again = await medrtc(['audit', 'verify', '--data-dir', restoredDir]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
});

test('a wrong passphrase is refused before anything is written', async () => {
  const wrong = path.join(scratch, 'wrong-passphrase');
  await writeFile(wrong, 'incorrect horse battery staple\n', { mode: 0o600 });
  const target = path.join(scratch, 'wrong-target');
  const r = await medrtc(['admin', 'restore', '--in', archive, '--data-dir', target, '--passphrase-file', wrong]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /medrtc admin restore: wrong passphrase or key file for /);
  assert.equal(await exists(target), false);
});

test('a tampered or cut-off archive is refused before anything is written', async () => {
  const bytes = await readFile(archive);
  const tampered = Buffer.from(bytes);
  tampered[Math.floor(bytes.length / 2)] ^= 0x01;
  const tamperedFile = path.join(scratch, 'tampered.backup');
  await writeFile(tamperedFile, tampered);
  const target = path.join(scratch, 'tampered-target');
  const r = await medrtc(['admin', 'restore', '--in', tamperedFile, '--data-dir', target, '--passphrase-file', passphrase]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /chunk \d+ of the archive does not authenticate: it was altered or damaged/);
  assert.equal(await exists(target), false);

  const cutFile = path.join(scratch, 'cut.backup');
  await writeFile(cutFile, bytes.subarray(0, bytes.length - 40));
  const cut = await medrtc(['admin', 'restore', '--in', cutFile, '--data-dir', target, '--passphrase-file', passphrase]);
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, /altered or damaged|cut off/);
  assert.equal(await exists(target), false);

  // Changing the header (here: the salt) is a wrong key as far as restore can tell.
  const header = Buffer.from(bytes);
  header[30] ^= 0x01;
  const headerFile = path.join(scratch, 'header.backup');
  await writeFile(headerFile, header);
  const h = await medrtc(['admin', 'restore', '--in', headerFile, '--data-dir', target, '--passphrase-file', passphrase]);
  assert.equal(h.code, 1);
  assert.match(h.stderr, /wrong passphrase or key file .*or its header was altered/);
});

test('restore refuses a non-empty data dir, and backup a passphrase file others may read', async () => {
  const full = path.join(scratch, 'full');
  await mkdir(full);
  await writeFile(path.join(full, 'something'), 'x');
  const r = await medrtc(['admin', 'restore', '--in', archive, '--data-dir', full, '--passphrase-file', passphrase]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not empty: restore only into a new or empty data dir/);

  const open = path.join(scratch, 'open-passphrase');
  await writeFile(open, 'correct horse battery staple\n');
  await chmod(open, 0o644);
  const b = await medrtc(['admin', 'backup', '--data-dir', server.dataDir, '--out', path.join(scratch, 'x.backup'), '--passphrase-file', open]);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /is readable by group or others: chmod 600 it/);

  const again = await medrtc(['admin', 'backup', '--data-dir', server.dataDir, '--out', archive, '--passphrase-file', passphrase]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists: choose a new file name/);
});

test('a key file instead of a passphrase: round trip, and the other secret kind is named', async () => {
  const keyFile = path.join(scratch, 'backup.key');
  await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const keyed = path.join(scratch, 'keyed.backup');
  const b = await medrtc(['admin', 'backup', '--data-dir', server.dataDir, '--out', keyed, '--key-file', keyFile]);
  assert.equal(b.code, 0, b.stderr);
  const wrongKind = await medrtc(['admin', 'restore', '--in', keyed, '--data-dir', path.join(scratch, 'k1'), '--passphrase-file', passphrase]);
  assert.equal(wrongKind.code, 1);
  assert.match(wrongKind.stderr, /was encrypted with a key file: restore it with --key-file/);
  const target = path.join(scratch, 'k2');
  const ok = await medrtc(['admin', 'restore', '--in', keyed, '--data-dir', target, '--key-file', keyFile]);
  assert.equal(ok.code, 0, ok.stderr);
  const verify = await medrtc(['audit', 'verify', '--data-dir', target]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

test('a data dir without medrtc.db (PostgreSQL) is backed up as audit log and keys, pointing to pg_dump', async () => {
  const dir = path.join(scratch, 'pg-node');
  const r = await medrtc(['admin', 'restore', '--in', archive, '--data-dir', dir, '--passphrase-file', passphrase]);
  assert.equal(r.code, 0, r.stderr);
  await rm(path.join(dir, 'medrtc.db'));
  const out = path.join(scratch, 'pg-node.backup');
  const b = await medrtc(['admin', 'backup', '--data-dir', dir, '--out', out, '--passphrase-file', passphrase]);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /no medrtc\.db in .*: the archive holds the audit log and the keys only\. If the store is in PostgreSQL, back it up with pg_dump/);
  const target = path.join(scratch, 'pg-node-restored');
  const restored = await medrtc(['admin', 'restore', '--in', out, '--data-dir', target, '--passphrase-file', passphrase]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /restore the PostgreSQL store from its pg_dump/);
  assert.ok(await exists(path.join(target, 'audit/signing.key')));
});
