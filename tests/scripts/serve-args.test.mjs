// scripts/run merges the user's flags into its defaults (scripts/lib/serve-args.sh): a
// flag the user gives replaces the script's value instead of repeating it, which
// `medrtc serve` refuses ("--listen: At Most 1 required but received 2").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/server.mjs';

const DEFAULTS = ['--listen=127.0.0.1:8080', '--data-dir=/repo/data', '--web-root=/repo/build/web', '--dev'];

/** Runs merge_serve_args in bash and returns the merged words. */
function merge(defaults, given) {
  const script = `set -euo pipefail; source "$1"; shift; merge_serve_args "$@"; printf '%s\\0' "\${merged[@]}"`;
  const out = execFileSync('bash', ['-c', script, 'merge', path.join(repoRoot, 'scripts/lib/serve-args.sh'),
    ...defaults, '--', ...given], { encoding: 'utf8' });
  return out.split('\0').filter((w, i, all) => i < all.length - 1);
}

test('without user flags the defaults are used as they are', () => {
  assert.deepEqual(merge(DEFAULTS, []), DEFAULTS);
});

test('--listen VALUE replaces the default listen address', () => {
  assert.deepEqual(merge(DEFAULTS, ['--listen', '127.0.0.1:9000']),
    ['--data-dir=/repo/data', '--web-root=/repo/build/web', '--dev', '--listen', '127.0.0.1:9000']);
});

test('--flag=value replaces the default too, and several flags at once', () => {
  assert.deepEqual(merge(DEFAULTS, ['--data-dir=/tmp/d', '--web-root', '/srv/web', '--workers', '2']),
    ['--listen=127.0.0.1:8080', '--dev', '--data-dir=/tmp/d', '--web-root', '/srv/web', '--workers', '2']);
});

test('a flag without a value (--dev) given again is not repeated', () => {
  assert.deepEqual(merge(DEFAULTS, ['--dev', '--media-ip', '192.0.2.2']),
    ['--listen=127.0.0.1:8080', '--data-dir=/repo/data', '--web-root=/repo/build/web', '--dev', '--media-ip', '192.0.2.2']);
});

test('a flag whose name only starts like a default is not taken for it', () => {
  // --listen-backlog is not --listen; --web-root-x is not --web-root.
  assert.deepEqual(merge(['--listen=127.0.0.1:8080'], ['--listen-backlog', '5']),
    ['--listen=127.0.0.1:8080', '--listen-backlog', '5']);
});

test('values with spaces and "=" survive', () => {
  assert.deepEqual(merge(['--turn-url=turn:127.0.0.1:3478?transport=udp'], ['--data-dir', '/tmp/a b']),
    ['--turn-url=turn:127.0.0.1:3478?transport=udp', '--data-dir', '/tmp/a b']);
});
