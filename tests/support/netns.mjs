// Network namespaces for browser tests that need a network other than the server's: each
// namespace gets a veth pair to the root namespace (a /30 of 10.0.0.0/8 nobody else on this
// machine uses), its own nftables rules, and a Chromium started inside it through
// `ip netns exec`. Tests run as root (CI too); nothing leaves this machine: the namespace
// has no route but the veth, and the root side does not forward.
//
// cut() drops every packet both ways with a qdisc (pfifo with a limit of 0) on both ends'
// egress: the link and the addresses stay, so the browser sees loss, not a network change
// (this kernel has no netem).
//
// changeAddress() is the network change: the namespace's end gets an address in another
// free /30 (the root end gets that /30's first address, as a new gateway), the old one is
// removed, and the namespace reaches the root namespace — the server's address included —
// through the new gateway. Sockets bound to the old address are left to die, as on a
// phone that moved from Wi-Fi to mobile data.
// capDownlink() limits the rate into the namespace with tbf; loseUplink() drops a share of
// what it sends at random.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium.mjs';

const run = promisify(execFile);
let sequence = 0;

async function ip(...args) {
  return run('ip', args);
}

/** IPv4 addresses on this machine's interfaces, to pick a /30 that is not among them. */
async function usedPrefixes() {
  const { stdout } = await ip('-o', '-4', 'addr', 'show');
  return new Set([...stdout.matchAll(/inet (\d+\.\d+\.\d+)\./g)].map((m) => m[1]));
}

/** A 10.x.y prefix (for a /30) no interface on this machine uses. */
async function freePrefix() {
  const used = await usedPrefixes();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!used.has(candidate)) {
      return candidate;
    }
  }
  throw new Error('no free 10.x.y.0/30 for a test namespace');
}

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
 * Creates a namespace joined to the root namespace by a veth pair.
 * `nft` is an nftables ruleset loaded inside the namespace (e.g. dropping UDP).
 * @returns {Promise<{name: string, rootIp: string, nsIp: string, exec(cmd: string[]): Promise<{stdout: string}>,
 *   applyNft(rules: string): Promise<void>, cut(): Promise<void>, restore(): Promise<void>, changeAddress(options?: {overlapMs?: number}): Promise<string>,
 *   launchChromium(options?: {args?: string[]}): Promise<import('playwright-core').Browser>, destroy(): Promise<void>}>}
 */
export async function createNamespace({ nft = '' } = {}) {
  sequence += 1;
  // Interface names are at most 15 characters.
  const tag = `${process.pid % 100000}${sequence}`;
  const name = `medrtc-${tag}`;
  const rootIf = `mr${tag}`;
  const nsIf = `mn${tag}`;
  const prefix = await freePrefix();
  const rootIp = `${prefix}.1`;
  const nsIp = `${prefix}.2`;
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-netns-'));
  const inNs = (...args) => run('ip', ['netns', 'exec', name, ...args]);
  const applyNft = async (rules) => {
    const file = path.join(dir, 'rules.nft');
    await writeFile(file, rules);
    await inNs('nft', '-f', file);
  };
  let isCut = false;
  const restore = async () => {
    await run('tc', ['qdisc', 'del', 'dev', rootIf, 'root']);
    await inNs('tc', 'qdisc', 'del', 'dev', nsIf, 'root');
    isCut = false;
  };
  let isCapped = false;
  const destroy = async () => {
    if (isCut) {
      await restore().catch(() => {});
    }
    if (isCapped) {
      await run('tc', ['qdisc', 'del', 'dev', rootIf, 'root']).catch(() => {});
    }
    // Deleting the namespace deletes its veth end, and with it the root end.
    await ip('netns', 'del', name).catch(() => {});
    await ip('link', 'del', rootIf).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ip('netns', 'add', name);
    await ip('link', 'add', rootIf, 'type', 'veth', 'peer', 'name', nsIf);
    await ip('link', 'set', nsIf, 'netns', name);
    await ip('addr', 'add', `${rootIp}/30`, 'dev', rootIf);
    await ip('link', 'set', rootIf, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    await inNs('ip', 'link', 'set', nsIf, 'up');
    if (nft) {
      await applyNft(nft);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    name,
    rootIp,
    nsIp,
    exec: (cmd) => inNs(...cmd),
    /** Loads more nftables rules (e.g. once the ports to allow are known). */
    applyNft,
    /** Drops every packet on the link, both ways, until restore(). */
    async cut() {
      await run('tc', ['qdisc', 'add', 'dev', rootIf, 'root', 'pfifo', 'limit', '0']);
      await inNs('tc', 'qdisc', 'add', 'dev', nsIf, 'root', 'pfifo', 'limit', '0');
      isCut = true;
    },
    restore,
    /**
     * Moves the namespace's end of the link to a new address (see the top of this file);
     * the server's address (`rootIp`) stays reachable. Returns the new address.
     * @param {{overlapMs?: number}} [options]
     */
    async changeAddress({ overlapMs = 0 } = {}) {
      const next = await freePrefix();
      const gateway = `${next}.1`;
      const address = `${next}.2`;
      await ip('addr', 'add', `${gateway}/30`, 'dev', rootIf);
      // The server's own address does not change when a phone moves: its replies to the
      // new address must still leave from rootIp. Without this the kernel picks the new
      // /30's gateway as source for them, and a server bound to 0.0.0.0 answers a check
      // sent to rootIp from the gateway address, which the browser drops (UDP ICE then
      // never succeeds, docs/address-change.md).
      await ip('route', 'replace', `${next}.0/30`, 'dev', rootIf, 'src', rootIp);
      await inNs('ip', 'addr', 'add', `${address}/30`, 'dev', nsIf);
      // overlapMs > 0: both addresses for a while (make-before-break, a phone with Wi-Fi and
      // mobile data both up); 0: the old one goes at once.
      await new Promise((r) => setTimeout(r, overlapMs));
      await inNs('ip', 'addr', 'del', `${this.nsIp}/30`, 'dev', nsIf);
      await inNs('ip', 'route', 'replace', 'default', 'via', gateway, 'dev', nsIf);
      this.nsIp = address;
      return address;
    },
    /**
     * Caps the namespace's downlink (what the root side sends into it) at `kbit` kbit/s with
     * a token bucket (tbf: this kernel has no netem); packets past 100 ms of queue drop.
     */
    async capDownlink(kbit) {
      await run('tc', ['qdisc', 'replace', 'dev', rootIf, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '16kb', 'latency', '100ms']);
      isCapped = true;
    },
    /**
     * Drops `percent` % of the namespace's outgoing UDP at random (its uplink), counted.
     * The rule sits on the veth's egress hook (netdev family), after the sockets: a drop in
     * the output hook fails the sender's sendmsg() with EPERM, and Chromium then knows the
     * packet never left and sends it again, so the far side sees no loss at all.
     */
    async loseUplink(percent) {
      await applyNft(`table netdev medrtc_loss {
  chain egress { type filter hook egress device "${nsIf}" priority 0; policy accept; ip protocol udp numgen random mod 100 < ${percent} counter drop; }
}
`);
    },
    /** Packets loseUplink() has dropped so far. */
    async uplinkLost() {
      const { stdout } = await inNs('nft', 'list', 'table', 'netdev', 'medrtc_loss');
      return Number(/counter packets (\d+)/.exec(stdout)[1]);
    },
    async uncapDownlink() {
      await run('tc', ['qdisc', 'del', 'dev', rootIf, 'root']).catch(() => {});
      isCapped = false;
    },
    /** Debian's Chromium inside the namespace (playwright talks to it over a pipe). */
    async launchChromium({ args = [] } = {}) {
      const wrapper = path.join(dir, 'chromium-in-netns');
      const bin = process.env.MEDRTC_CHROMIUM ?? '/usr/bin/chromium';
      await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec '${name}' '${bin}' "$@"\n`);
      await chmod(wrapper, 0o755);
      return chromium.launch({ executablePath: wrapper, args: [...CHROMIUM_ARGS, ...args] });
    },
    destroy,
  };
}

/** nftables rules for a namespace whose traffic may not use UDP, in either direction. */
export const DROP_UDP_NFT = `table inet medrtc_test {
  chain output { type filter hook output priority 0; policy accept; meta l4proto udp drop; }
  chain input { type filter hook input priority 0; policy accept; meta l4proto udp drop; }
}
`;

/**
 * nftables rules for a namespace that may reach `ip` only on the given TCP ports (a network
 * that allows only HTTPS out): everything else it sends is dropped, UDP included.
 */
export function onlyTcpTo(ip, ports) {
  return `table inet medrtc_test {
  chain output {
    type filter hook output priority 0; policy drop;
    oif "lo" accept;
    ct state established,related accept;
    ip daddr ${ip} tcp dport { ${ports.join(', ')} } accept;
  }
}
`;
}
