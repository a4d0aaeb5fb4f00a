// `medrtc serve` checks the SRTP ciphers at start (docs/srtp.md): on a machine whose
// OpenSSL cannot provide them it must refuse to start with a message naming what is
// missing, instead of starting healthy and failing every call at key setup. The test
// takes them away for real: an OpenSSL configuration that activates only the null
// provider, so no cipher can be fetched. And medrtc no longer loads libsrtp2 or NSS at all.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/server.mjs';

const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');

test('serve refuses to start, naming the cipher, when OpenSSL has no AES', async () => {
  const scratch = await mkdtemp(path.join(tmpdir(), 'medrtc-srtp-crypto-'));
  try {
    const conf = path.join(scratch, 'openssl.cnf');
    await writeFile(conf, [
      'openssl_conf = openssl_init',
      '[openssl_init]', 'providers = provider_sect',
      '[provider_sect]', 'null = null_sect',
      '[null_sect]', 'activate = 1', ''].join('\n'));
    const child = spawn(bin, ['serve', '--dev', '--data-dir', path.join(scratch, 'data'), '--listen', '127.0.0.1:0'],
      { env: { ...process.env, OPENSSL_CONF: conf }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);  // a server that started would run on
    const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, `serve did not refuse the start; stderr: ${stderr}`);
    assert.equal(code, 1);
    assert.match(stderr, /SRTP crypto self-test failed: .*AES-128-CTR and HMAC-SHA1/);
    assert.match(stderr, /OpenSSL installation and its provider configuration/);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('medrtc links neither libsrtp2 nor NSS (SRTP is ours, on OpenSSL)', () => {
  const libs = execFileSync('ldd', [bin], { encoding: 'utf8' });
  assert.match(libs, /libcrypto\.so/);
  assert.doesNotMatch(libs, /libsrtp2|libnss3|libsoftokn3/);
});
