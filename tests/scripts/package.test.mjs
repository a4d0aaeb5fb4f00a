// scripts/package (issue 15 item 7): builds the .deb, whose contents, control files and
// systemd unit are checked here; then the package is unpacked into a scratch root
// (dpkg-deb -x, no root needed) and the server started from there with the packaged
// default configuration answers /healthz and serves the packaged web client.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../support/server.mjs';

let scratch;
let deb;
let root;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medrtc-package-'));
  deb = execFileSync(path.join(repoRoot, 'scripts/package'), [path.join(scratch, 'out')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
  root = path.join(scratch, 'root');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  execFileSync('dpkg-deb', ['-e', deb, path.join(scratch, 'control')]);
});

after(async () => {
  if (scratch) {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('the package names itself, its dependencies and its conffile', async () => {
  const info = execFileSync('dpkg-deb', ['-I', deb], { encoding: 'utf8' });
  assert.match(info, /^ Package: medrtc$/m);
  assert.match(info, /^ Version: \d+\.\d+\.\d+~git\d{14}\.[0-9a-f]+$/m);
  assert.match(info, /^ Depends: .*\blibc6\b/m, 'dpkg-shlibdeps found the libraries');
  assert.match(info, /^ Depends: .*\badduser\b/m);
  const conffiles = await readFile(path.join(scratch, 'control/conffiles'), 'utf8');
  assert.equal(conffiles.trim(), '/etc/medrtc/medrtc.toml');
  const postinst = await readFile(path.join(scratch, 'control/postinst'), 'utf8');
  assert.match(postinst, /adduser --system --group .*medrtc/);
  assert.match(postinst, /chmod 0700 \/var\/lib\/medrtc/);
});

test('the package holds the binary, web client, policies, configuration and unit', () => {
  const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
  const files = new Map(listing.trim().split('\n').map((line) => {
    const fields = line.split(/\s+/);
    return [fields.slice(5).join(' ').replace(/^\.\//, '/'), fields[0]];
  }));
  for (const file of ['/usr/bin/medrtc', '/usr/share/medrtc/web/index.html', '/usr/share/medrtc/policies/gdpr.toml',
    '/usr/share/medrtc/policies/kbv.toml', '/etc/medrtc/medrtc.toml', '/usr/lib/systemd/system/medrtc.service']) {
    assert.ok(files.has(file), `${file} missing from:\n${listing}`);
  }
  assert.equal(files.get('/usr/bin/medrtc'), '-rwxr-xr-x');
  assert.ok(![...files.keys()].some((f) => f.startsWith('/var/') || f.includes('node_modules') || f.endsWith('.built')),
    'the data dir is made by postinst, not shipped');
  // The SFU test tap (docs/e2ee.md) is a test binary only.
  assert.ok(![...files.keys()].some((f) => f.includes('medrtc-tap')), `medrtc-tap shipped:\n${listing}`);
});

test('the systemd unit is hardened and systemd-analyze verify accepts it', async (t) => {
  const unitPath = path.join(root, 'usr/lib/systemd/system/medrtc.service');
  const unit = await readFile(unitPath, 'utf8');
  const directives = unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));
  for (const d of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
    'ReadWritePaths=/var/lib/medrtc', 'User=medrtc', 'CapabilityBoundingSet=',
    'ExecStart=/usr/bin/medrtc serve --config /etc/medrtc/medrtc.toml']) {
    assert.ok(directives.includes(d), `${d} missing`);
  }
  assert.ok(directives.some((d) => /^LimitNOFILE=\d+$/.test(d)));
  assert.ok(!directives.some((d) => d.startsWith('AmbientCapabilities=')),
    'no capability while the default port is above 1024');
  // Stopping must outlast the drain, or systemd kills running calls.
  const config = await readFile(path.join(root, 'etc/medrtc/medrtc.toml'), 'utf8');
  const drain = Number(/^drain_timeout = (\d+)$/m.exec(config)[1]);
  const stop = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)[1]);
  assert.ok(stop > drain, `TimeoutStopSec=${stop} is not above drain_timeout=${drain}`);

  const analyze = spawnSync('systemd-analyze', ['--version']);
  if (analyze.error) {
    t.skip('systemd-analyze is not installed (scripts/deps/debian.txt lists systemd)');
    return;
  }
  // verify checks that ExecStart's binary exists: point it at the unpacked one (verify's
  // --root needs a whole systemd tree in the root).
  const copy = path.join(scratch, 'medrtc.service');
  await writeFile(copy, unit.replaceAll('/usr/bin/medrtc', path.join(root, 'usr/bin/medrtc')));
  const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  assert.equal(verify.status, 0, `systemd-analyze verify:\n${verify.stdout}${verify.stderr}`);
  assert.equal(verify.stderr.trim(), '', 'no warnings');
  // The hardening as systemd scores it (0-100; the unit scores 17, "OK"): a lost setting fails.
  const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=20', copy],
    { encoding: 'utf8' });
  assert.equal(security.status, 0, `systemd-analyze security:\n${security.stdout}${security.stderr}`);
});

test('the unpacked server starts with the packaged configuration and serves its web client', async () => {
  const dataDir = path.join(scratch, 'data');
  const child = spawn(path.join(root, 'usr/bin/medrtc'), ['serve', '--config', path.join(root, 'etc/medrtc/medrtc.toml'),
    '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', path.join(root, 'usr/share/medrtc/web'),
    '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c) => { output += c; });
  child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const baseUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within 15 s:\n${output}`)), 15_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      exited.then((info) => reject(new Error(`exited ${JSON.stringify(info)}:\n${output}`)));
    });
    const health = await fetch(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
    const page = await fetch(`${baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  } finally {
    child.kill('SIGTERM');
  }
  assert.deepEqual(await exited, { code: 0, signal: null }, output);
});
