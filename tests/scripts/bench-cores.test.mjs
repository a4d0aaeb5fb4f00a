// scripts/bench --workers W (issue 14 item 7): W workers on cores 0..W-1, the loadgen on
// the others; a W the machine cannot give is refused with a clear message before anything
// is installed or built.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/server.mjs';

/** Sources scripts/lib/bench-cores.sh and returns its layout, or its refusal. */
function layout(workers, cores) {
  const script = 'source "$1"; bench_cores "$2" "$3" || exit $?; echo "$server_cpus|$loadgen_cpus|$loadgen_loops"';
  const r = spawnSync('bash', ['-c', script, 'cores', path.join(repoRoot, 'scripts/lib/bench-cores.sh'),
    String(workers), String(cores)], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

test('one worker on a 2-core machine: server on core 0, loadgen on core 1', () => {
  assert.deepEqual(layout(1, 2), { status: 0, out: '0|1|1', err: '' });
});

test('eight workers on a 16-core machine: cores 0-7 and 8-15, eight loadgen loops', () => {
  assert.deepEqual(layout(8, 16), { status: 0, out: '0-7|8-15|8', err: '' });
  assert.deepEqual(layout(15, 16), { status: 0, out: '0-14|15|1', err: '' });
});

test('as many workers as cores leaves no core for the loadgen and is refused', () => {
  const r = layout(2, 2);
  assert.equal(r.status, 2);
  assert.match(r.err, /--workers 2 needs 3 cores .* this machine has 2, so --workers 1 at most/);
});

test('a worker count that is not a whole number ≥ 1 is refused', () => {
  for (const w of ['0', '-1', 'two', '1.5']) {
    const r = layout(w, 16);
    assert.equal(r.status, 2, w);
    assert.match(r.err, /whole number/);
  }
});

test('scripts/bench refuses --workers beyond this machine before installing or building', () => {
  const cores = os.availableParallelism();
  const r = spawnSync(path.join(repoRoot, 'scripts/bench'), ['--workers', String(cores)],
    { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MEDRTC_BENCH_BUILD_DIR: 'build-does-not-exist' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--workers ${cores} needs ${cores + 1} cores`));
  assert.doesNotMatch(r.stderr, /building/);
});
