// README.md "Install on a server" must work as written. This test reads the section's
// ```toml and ```sh blocks and runs them against the real package, unpacked into a
// scratch root (dpkg-deb -x), with a real coturn: the configuration block becomes
// /etc/medrtc/medrtc.toml, the server starts with the packaged unit's ExecStart, and every
// command runs in order. Only what a scratch root cannot do is rewritten, the same way
// for every line: paths under /etc, /var and /usr get the scratch root's prefix, `sudo`
// and `sudo -u medrtc` run as the current user (no `medrtc` user here), the example host
// names and ports become this machine's, placeholders (t_…, …) get their real values.
// Lines that need a real system (apt, systemctl, journalctl, sudoedit) are skipped; the
// packaging test covers the package itself. A command that fails fails the test, so a
// README edit that breaks a step shows here.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startCoturn } from '../support/coturn.mjs';
import { repoRoot } from '../support/server.mjs';

let scratch;
let root;
let turn;
let serve;

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The section's fenced blocks, in order: [{ lang, text }]. */
async function installBlocks() {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Install on a server');
  assert.ok(start >= 0, 'README.md has an "Install on a server" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
}

/** Shell lines of a block: continuations joined, comments dropped. */
function commandLines(text) {
  return text.replace(/\\\n\s*/g, ' ').split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medrtc-readme-'));
  const deb = execFileSync(path.join(repoRoot, 'scripts/package'), [path.join(scratch, 'out')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
  root = path.join(scratch, 'root');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  turn = await startCoturn({ transports: ['udp', 'tcp', 'tls'] });
});

after(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGKILL');
  }
  await turn?.stop();
  if (scratch) {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('every command of README "Install on a server" runs as written', { timeout: 300_000 }, async () => {
  const blocks = await installBlocks();
  const [config] = blocks.filter((b) => b.lang === 'toml');
  assert.ok(config, 'the section shows a medrtc.toml');
  const httpsPort = await freePort();
  const metricsPort = await freePort();
  const mediaBase = 47000 + Math.floor(Math.random() * 1000);
  const turnPort = turn.port;
  const values = { tenant: '' };

  const inRoot = (s) => s.replace(/(^|[\s"'=])\/(etc|var|usr)\//g, `$1${root}/$2/`);
  const rewrite = (s) => inRoot(s)
    .replace(/turn\.example\.org:3478/g, `127.0.0.1:${turnPort}`)
    .replace(/turn\.example\.org:443/g, `127.0.0.1:${turn.tlsPort}`)
    .replace(/video\.example\.org:8443/g, `127.0.0.1:${httpsPort}`)
    .replace(/:8443\b/g, `:${httpsPort}`)
    .replace(/127\.0\.0\.1:9464/g, `127.0.0.1:${metricsPort}`)
    .replace(/rtc_port_base = 40000/, `rtc_port_base = ${mediaBase}\nworkers = 2`);

  // The configuration file, as step 2 shows it.
  await writeFile(path.join(root, 'etc/medrtc/medrtc.toml'), rewrite(config.text), { mode: 0o640 });
  // What the operator brings: a certificate for the host name (here 127.0.0.1).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '90', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(scratch, 'privkey.pem'), '-out', path.join(scratch, 'fullchain.pem')], { stdio: 'ignore' });
  const turnCa = path.join(path.dirname(turn.serveArgs[turn.serveArgs.indexOf('--turn-secret-file') + 1]), 'turn-cert.pem');
  const env = {
    ...process.env,
    PATH: `${root}/usr/bin:${process.env.PATH}`,
    // Trust the test certificates where a real node would trust a public CA: curl reads
    // CURL_CA_BUNDLE; medrtc doctor's TLS check (OpenSSL's default paths) SSL_CERT_FILE.
    CURL_CA_BUNDLE: path.join(scratch, 'fullchain.pem'),
    SSL_CERT_FILE: turnCa,
  };
  const ran = [];

  const runLine = (line) => {
    let cmd = rewrite(line)
      .replace(/\bsudo -u medrtc /g, '')
      .replace(/\bsudo /g, '')
      .replace(/ -o (root|medrtc) -g medrtc\b/g, '')
      .replace(/\bt_…/g, values.tenant)
      .replace(/medrtc-….backup/g, 'medrtc-*.backup');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: scratch, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `README line failed: ${line}\nran: ${cmd}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}\nserver:\n${serveLog}`);
    ran.push(line);
    return r.stdout;
  };

  let serveLog = '';
  const startService = async () => {
    // systemd's ExecStart from the packaged unit.
    const unit = await readFile(path.join(root, 'lib/systemd/system/medrtc.service'), 'utf8')
      .catch(() => readFile(path.join(root, 'usr/lib/systemd/system/medrtc.service'), 'utf8'));
    const exec = inRoot(` ${/^ExecStart=(.*)$/m.exec(unit)[1]}`).trim().split(/\s+/);
    serve = spawn(exec[0].startsWith('/') ? exec[0] : path.join(root, exec[0]), exec.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout.setEncoding('utf8').on('data', (c) => { serveLog += c; });
    serve.stderr.setEncoding('utf8').on('data', (c) => { serveLog += c; });
    const deadline = Date.now() + 15_000;
    while (!/listening on https:\/\//.test(serveLog)) {
      assert.ok(Date.now() < deadline && serve.exitCode === null, `serve did not start:\n${serveLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stopService = async () => {
    const exited = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');  // the unit's KillSignal: a drain, immediate without calls
    await exited;
  };

  for (const block of blocks.filter((b) => b.lang === 'sh')) {
    for (const line of commandLines(block.text)) {
      if (/^(\.\/scripts\/package|sudo apt |sudo dpkg |sudo journalctl )/.test(line)) {
        continue;  // the package is built and unpacked above; no journal here
      }
      if (line.startsWith('sudoedit ')) {
        // The only file the section asks to type in by hand besides medrtc.toml.
        assert.match(line, /backup\.passphrase$/, line);
        await writeFile(inRoot(` ${line.slice('sudoedit '.length)}`).trim(), 'correct horse battery staple\n');
        continue;
      }
      if (/^sudo systemctl (enable --now|start) medrtc$/.test(line)) {
        await startService();
        continue;
      }
      if (line === 'sudo systemctl stop medrtc') {
        await stopService();
        continue;
      }
      if (line.startsWith('sudo install') && line.includes('fullchain.pem privkey.pem')) {
        runLine(line.replace('fullchain.pem privkey.pem', `${scratch}/fullchain.pem ${scratch}/privkey.pem`));
        continue;
      }
      if (line.startsWith('sudo cat /etc/medrtc/turn.secret')) {
        // coturn's static-auth-secret is this file's content: restart coturn with it.
        const secret = runLine(line).trim();
        assert.match(secret, /^[A-Za-z0-9+/]{40,}$/);
        const coturnDir = path.dirname(turn.serveArgs[turn.serveArgs.indexOf('--turn-secret-file') + 1]);
        await writeFile(path.join(coturnDir, 'turn.secret'), `${secret}\n`, { mode: 0o600 });
        execFileSync(path.join(repoRoot, 'scripts/lib/coturn.sh'), ['stop', coturnDir]);
        execFileSync(path.join(repoRoot, 'scripts/lib/coturn.sh'), ['start', coturnDir],
          { env: { ...process.env, MEDRTC_TURN_PORT: String(turn.port), MEDRTC_TURN_TLS_PORT: String(turn.tlsPort) } });
        continue;
      }
      const out = runLine(line);
      if (line.includes('create-tenant')) {
        values.tenant = /\bt_[0-9a-f]+/.exec(out)?.[0] ?? '';
        assert.ok(values.tenant, `create-tenant printed an id: ${out}`);
      }
      if (line.includes(' doctor ')) {
        assert.match(out, /^All checks passed\.$/m);
        for (const check of ['turn udp', 'turn tcp', 'turn tls', 'certificate', 'database', 'policy']) {
          assert.match(out, new RegExp(`^ok {6}${check}: `, 'm'), `${check} in:\n${out}`);
        }
      }
      if (line.includes('/metrics')) {
        assert.match(out, /^medrtc_rooms \d+$/m);
      }
      if (line.includes('audit verify')) {
        assert.match(out, /^audit log OK: /m);
      }
    }
  }
  if (serve.exitCode === null) {
    await stopService();
  }
  for (const wanted of ['create-tenant', 'create-user', ' doctor ', '/readyz', '/metrics', 'admin backup', 'admin restore', 'audit verify']) {
    assert.ok(ran.some((l) => l.includes(wanted)), `the section's "${wanted}" command ran (ran: ${ran.join('\n')})`);
  }
});
