// A browser on its own network: a network namespace joined to the host's by a veth pair,
// so a test can cut the browser's link and restore it while the server (in the host's
// namespace) keeps running. Needs root (tests run as root, CI too) and iproute2's `ip` and
// `tc`. Traffic never leaves the machine. Every namespace and veth made here is deleted by
// destroy().
//
// The cut is a qdisc that drops every packet (pfifo with a limit of 0) on both ends'
// egress: the link stays up and the addresses stay, so the browser sees loss, not a
// network change (this kernel has no netem, and Debian's nftables is not installed here).
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium.mjs';

const run = promisify(execFile);

/** Why a namespace cannot be made here, or null when it can. */
export async function netnsUnavailable() {
  if (process.getuid?.() !== 0) {
    return 'needs root (ip netns)';
  }
  try {
    await run('ip', ['-V']);
    await run('tc', ['-V']);
  } catch {
    return 'needs iproute2 (ip, tc)';
  }
  return null;
}

/**
 * Makes namespace `mrtc<n>` with `hostIp` on the host's end of the veth and `browserIp`
 * inside. Returns { name, hostIp, browserIp, cut(), restore(), destroy() }.
 */
export async function createNetns() {
  const n = process.pid % 200 + 20;
  const name = `mrtc${process.pid}`;
  const hostIf = `mrh${process.pid}`.slice(0, 15);
  const nsIf = `mrn${process.pid}`.slice(0, 15);
  const hostIp = `10.213.${n}.1`;
  const browserIp = `10.213.${n}.2`;
  const ns = (...args) => run('ip', ['netns', 'exec', name, ...args]);
  await run('ip', ['netns', 'add', name]);
  try {
    await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await run('ip', ['link', 'set', nsIf, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await run('ip', ['link', 'set', hostIf, 'up']);
    await ns('ip', 'addr', 'add', `${browserIp}/30`, 'dev', nsIf);
    await ns('ip', 'link', 'set', nsIf, 'up');
    await ns('ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    await run('ip', ['link', 'del', hostIf]).catch(() => {});
    await run('ip', ['netns', 'del', name]).catch(() => {});
    throw err;
  }
  let cut = false;
  return {
    name,
    hostIp,
    browserIp,
    async cut() {
      await run('tc', ['qdisc', 'add', 'dev', hostIf, 'root', 'pfifo', 'limit', '0']);
      await ns('tc', 'qdisc', 'add', 'dev', nsIf, 'root', 'pfifo', 'limit', '0');
      cut = true;
    },
    async restore() {
      await run('tc', ['qdisc', 'del', 'dev', hostIf, 'root']);
      await ns('tc', 'qdisc', 'del', 'dev', nsIf, 'root');
      cut = false;
    },
    async destroy() {
      if (cut) {
        await this.restore().catch(() => {});
      }
      await run('ip', ['link', 'del', hostIf]).catch(() => {});
      await run('ip', ['netns', 'del', name]).catch(() => {});
    },
  };
}

/**
 * Chromium running inside the namespace (`ip netns exec` through a wrapper script: the
 * browser's sockets live there, Playwright still talks to it over its pipe). `origin` is
 * the server as the browser reaches it: plain http to a non-loopback address is not a
 * secure context, and getUserMedia needs one.
 */
export async function launchChromiumIn(netns, origin, { args = [] } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-netns-'));
  const wrapper = path.join(dir, 'chromium');
  const real = process.env.MEDRTC_CHROMIUM ?? '/usr/bin/chromium';
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${netns.name} ${real} "$@"\n`);
  await chmod(wrapper, 0o755);
  const browser = await chromium.launch({
    executablePath: wrapper,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`, ...args],
  });
  browser.on('disconnected', () => {
    rm(dir, { recursive: true, force: true }).catch(() => {});
  });
  return browser;
}
