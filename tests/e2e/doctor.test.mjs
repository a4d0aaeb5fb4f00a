// `medrtc doctor` (issue 15 item 8) against a real deployment: a running `medrtc serve`,
// a real coturn (scripts/lib/coturn.sh: UDP, TCP, TLS) and a real PostgreSQL
// (scripts/lib/postgres.sh). The TURN checks must make a real allocation with the
// configured secret: the right secret passes on all three transports, a wrong one fails
// naming the secret, and a port nobody listens on fails as unreachable. The database
// check reads the schema version: an empty PostgreSQL database fails as not migrated and
// passes once `serve` has migrated it; an unreachable one fails.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startCoturn } from '../support/coturn.mjs';
import { repoRoot, startServer } from '../support/server.mjs';

const run = promisify(execFile);
const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');
const pgScript = path.join(repoRoot, 'scripts/lib/postgres.sh');

let turn;
let server;
let scratch;
let secretFile;
let caFile;

/** Runs `medrtc doctor --format json …`; returns { code, report, byCheck(name) }. */
async function doctor(args) {
  let stdout;
  let code = 0;
  try {
    ({ stdout } = await run(bin, ['doctor', '--format', 'json', ...args], { timeout: 60_000 }));
  } catch (err) {
    if (typeof err.code !== 'number') {
      throw err;
    }
    ({ stdout, code } = err);
  }
  const report = JSON.parse(stdout);
  return { code, report, byCheck: (name) => report.checks.filter((c) => c.check === name) };
}

function serverArgs() {
  const { host, port } = new URL(server.baseUrl);
  return ['--listen', host, '--data-dir', server.dataDir].map((a) => (a === host ? `127.0.0.1:${port}` : a));
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medrtc-doctor-'));
  turn = await startCoturn({ transports: ['udp', 'tcp', 'tls'] });
  secretFile = turn.serveArgs[turn.serveArgs.indexOf('--turn-secret-file') + 1];
  // coturn.sh makes a self-signed certificate beside the secret; doctor trusts it only
  // when told to (--turn-ca-file), as a browser would not trust it at all.
  caFile = path.join(path.dirname(secretFile), 'turn-cert.pem');
  server = await startServer({ args: turn.serveArgs });
});

after(async () => {
  await server?.stop();
  await turn?.stop();
  if (scratch) {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('a healthy deployment with the right TURN secret passes, with a real allocation on UDP, TCP and TLS', async () => {
  const { code, report, byCheck } = await doctor([...serverArgs(), ...turn.serveArgs, '--turn-ca-file', caFile]);
  assert.equal(code, 0, JSON.stringify(report, null, 2));
  assert.equal(report.ok, true);
  for (const transport of ['udp', 'tcp', 'tls']) {
    const [check] = byCheck(`turn ${transport}`);
    assert.equal(check?.status, 'ok', JSON.stringify(report.checks));
    assert.match(check.detail, /allocated a relay at \S+:\d+/);
  }
  assert.match(byCheck('database')[0].detail, /reachable and migrated \(schema version \d+\)/);
});

test('a wrong TURN secret fails on every transport and says the secret is wrong', async () => {
  const wrong = path.join(scratch, 'wrong.secret');
  await writeFile(wrong, 'not-the-coturn-secret\n');
  await chmod(wrong, 0o600);
  const args = turn.serveArgs.map((a) => (a === secretFile ? wrong : a));
  const { code, report, byCheck } = await doctor([...serverArgs(), ...args, '--turn-ca-file', caFile]);
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  for (const transport of ['udp', 'tcp', 'tls']) {
    const [check] = byCheck(`turn ${transport}`);
    assert.equal(check?.status, 'fail');
    assert.match(check.detail, /refused the credentials \(401\): the secret in --turn-secret-file is not the TURN server's static-auth-secret/);
  }
});

test('a TURN port nobody listens on fails as unreachable, and an untrusted TLS certificate is named', async () => {
  // Port 9 (discard) has no listener here: UDP gets ICMP port unreachable, TCP a reset.
  const urls = `turn:127.0.0.1:9?transport=udp,turn:127.0.0.1:9?transport=tcp,turns:127.0.0.1:${turn.tlsPort}?transport=tcp`;
  const { code, byCheck } = await doctor([...serverArgs(), '--turn-url', urls, '--turn-secret-file', secretFile]);
  assert.equal(code, 1);
  assert.equal(byCheck('turn udp')[0].status, 'fail');
  assert.match(byCheck('turn udp')[0].detail, /no TURN answer from 127\.0\.0\.1:9 over UDP/);
  assert.equal(byCheck('turn tcp')[0].status, 'fail');
  assert.match(byCheck('turn tcp')[0].detail, /cannot reach 127\.0\.0\.1:9 over TCP: Connection refused/);
  // Without --turn-ca-file the self-signed certificate is not trusted.
  assert.equal(byCheck('turn tls')[0].status, 'fail');
  assert.match(byCheck('turn tls')[0].detail, /certificate is not trusted \(self-signed certificate\)/);
});

test('without --turn-url the TURN check is skipped and says why it matters', async () => {
  const { byCheck } = await doctor(serverArgs());
  assert.equal(byCheck('turn')[0].status, 'skipped');
  assert.match(byCheck('turn')[0].detail, /networks that block UDP/);
});

test('the text output is plain words with one line per check and exit status 1 on failure', async () => {
  const wrong = path.join(scratch, 'wrong2.secret');
  await writeFile(wrong, 'still-wrong\n');
  await chmod(wrong, 0o600);
  let out;
  let code = 0;
  try {
    out = execFileSync(bin, ['doctor', ...serverArgs(), '--turn-url', turn.urls[0], '--turn-secret-file', wrong],
      { encoding: 'utf8' });
  } catch (err) {
    ({ stdout: out, status: code } = err);
  }
  assert.equal(code, 1);
  assert.match(out, /^fail {4}turn udp: turn:127\.0\.0\.1:\d+\?transport=udp: .*refused the credentials/m);
  assert.match(out, /^Something is wrong: see the lines marked fail\.$/m);
});

test('PostgreSQL: unreachable fails, an empty database is not migrated, and passes once serve migrated it', async () => {
  const pgDir = await mkdtemp(path.join(tmpdir(), 'medrtc-doctor-pg-'));
  let pgServer;
  try {
    const url = execFileSync(pgScript, ['start', pgDir], { encoding: 'utf8' }).trim();
    const dataDir = path.join(scratch, 'pg-data');
    const empty = await doctor(['--data-dir', dataDir, '--database', url, '--listen', '127.0.0.1:0']);
    const [before] = empty.byCheck('database');
    assert.equal(before.status, 'fail');
    assert.match(before.detail, /^PostgreSQL at 127\.0\.0\.1:\d+\/medrtc_test is at schema version 0, this medrtc expects \d+/);

    pgServer = await startServer({ args: ['--database', url] });
    const migrated = await doctor(['--data-dir', pgServer.dataDir, '--database', url, '--listen', '127.0.0.1:0']);
    const [after] = migrated.byCheck('database');
    assert.equal(after.status, 'ok', after.detail);
    assert.match(after.detail, /PostgreSQL at 127\.0\.0\.1:\d+\/medrtc_test is reachable and migrated/);
    await pgServer.stop();
    pgServer = undefined;

    execFileSync(pgScript, ['stop', pgDir]);
    const gone = await doctor(['--data-dir', dataDir, '--database', url, '--listen', '127.0.0.1:0']);
    assert.equal(gone.code, 1);
    assert.match(gone.byCheck('database')[0].detail, /^cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/medrtc_test: /);
  } finally {
    await pgServer?.stop();
    execFileSync(pgScript, ['stop', pgDir]);
  }
});
