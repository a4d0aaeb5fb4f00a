// The setup of the browser tests whose browsers sit in network namespaces (netns.mjs):
// the namespaces first (so the server announces their veth addresses), a medrtc server
// they reach, coturn when asked, one Chromium per namespace plus one in the root
// namespace, a room with the participants joined in order, and media flowing both ways.
// Everything is torn down by one close(), which also runs when the test fails or times
// out: a namespace or Chromium left behind would break the next test's network.
import { launchChromium } from './chromium.mjs';
import { closePages, joinCall, waitForRemoteMedia } from './call-page.mjs';
import { startCoturn } from './coturn.mjs';
import { createNamespace } from './netns.mjs';
import { createRoom, startServer } from './server.mjs';

export { netnsUnavailable } from './netns.mjs';

/** The usual two: Alice (host) in the root namespace, Bob in his own namespace 'bob'. */
export const BOB_IN_NETNS = Object.freeze([
  { identity: 'alice', name: 'Alice', role: 'host' },
  { identity: 'bob', name: 'Bob', netns: 'bob' },
]);

/**
 * @typedef {object} NetnsCallOptions
 * @property {readonly {identity: string, name: string, role?: string, netns?: string}[]} [participants]
 *   joined in this order; `netns` names the namespace whose Chromium opens the page (none:
 *   the root namespace's Chromium). Each name gets its own namespace and Chromium.
 * @property {Record<string, {nft?: string | ((call: object) => string)}>} [namespaces]
 *   per namespace: nftables rules loaded at creation (a string) or, when they need the
 *   server's or coturn's ports, once those run (a function of the call); a namespace named
 *   here but by no participant still gets its Chromium (`call.browsers[name]`).
 * @property {object} [server] startServer options (`workers`, `env`, `args`); the helper sets `listen`.
 * @property {string} [serverOn] 'all' (default): the server listens on 0.0.0.0 and
 *   announces every address; root-namespace pages use 127.0.0.1, namespaced ones their
 *   veth's root-side address. 'netns': it listens on, and announces only (--media-ip), the
 *   one namespace's root-side address, which every page uses (candidates the test controls).
 * @property {string[]} [turn] coturn transports ('udp', 'tcp', 'tls'), listening and
 *   relaying on the namespace's root-side address (needs serverOn 'netns').
 * @property {string[]} [netnsBrowserArgs] more Chromium flags for the namespaced browsers.
 * @property {number} [mediaTimeoutMs] how long each page may take to decode the others (30 s).
 */

/**
 * Starts the call (see the top of this file) and returns
 * `{server, turn, roomId, pages, media, netns, namespaces, browsers, cap, uncap, loss, lost, close}`:
 * `pages` in the participants' order, `media` what waitForRemoteMedia returned for each;
 * `netns` the one namespace (namespaces[name] when there are several); cap(kbit)/uncap()
 * the namespace's downlink, loss(percent)/lost() its UDP uplink (netns.mjs capDownlink,
 * loseUplink), each with an optional namespace name last. close() is registered with
 * `t.after` too, so a timed-out test still cleans up.
 * @param {import('node:test').TestContext} t
 * @param {NetnsCallOptions} options
 */
export async function startNetnsCall(t, {
  participants = [],
  namespaces: namespaceOptions = {},
  server: serverOptions = {},
  serverOn = 'all',
  turn: turnTransports = null,
  netnsBrowserArgs = [],
  mediaTimeoutMs = 30_000,
} = {}) {
  const names = [...new Set([...Object.keys(namespaceOptions), ...participants.map((p) => p.netns).filter(Boolean)])];
  const call = {
    server: null, turn: null, roomId: null, pages: [], media: [], netns: null, namespaces: {}, browsers: {}, rootBrowser: null,
  };
  let closing = null;
  call.close = () => {
    closing ??= teardown(call);
    return closing;
  };
  t.after(() => call.close());

  const sole = (name) => {
    if (name !== undefined) {
      return call.namespaces[name];
    }
    if (names.length !== 1) {
      throw new Error(`name the namespace: this call has ${names.length}`);
    }
    return call.netns;
  };
  call.cap = (kbit, name) => sole(name).capDownlink(kbit);
  call.uncap = (name) => sole(name).uncapDownlink();
  call.loss = (percent, name) => sole(name).loseUplink(percent);
  call.lost = (name) => sole(name).uplinkLost();

  try {
    // The veths exist before the server starts, so their addresses are among the announced ones.
    for (const name of names) {
      const nft = namespaceOptions[name]?.nft;
      call.namespaces[name] = await createNamespace({ nft: typeof nft === 'string' ? nft : '' });
    }
    call.netns = call.namespaces[names[0]] ?? null;
    const args = ['--insecure-http'];
    let listen = '0.0.0.0:0';
    if (serverOn === 'netns') {
      if (names.length !== 1) {
        throw new Error("serverOn 'netns' needs exactly one namespace");
      }
      listen = `${call.netns.rootIp}:0`;
      args.unshift('--media-ip', call.netns.rootIp);
    }
    if (turnTransports) {
      // coturn listens, and relays from, the veth's root-side address: the namespace reaches
      // only that address, and relaying from the address the media server announces makes
      // the server's answers come from the address coturn permitted (scripts/lib/coturn.sh).
      call.turn = await startCoturn({ transports: turnTransports, listenIp: call.netns.rootIp, relayIp: call.netns.rootIp });
      args.push(...call.turn.serveArgs);
    }
    // Plain HTTP off loopback needs saying so; TLS is not what these tests are about.
    call.server = await startServer({ ...serverOptions, listen, args: [...args, ...(serverOptions.args ?? [])] });
    for (const name of names) {
      const nft = namespaceOptions[name]?.nft;
      if (typeof nft === 'function') {
        await call.namespaces[name].applyNft(nft(call));
      }
    }

    const port = new URL(call.server.baseUrl).port;
    const side = (name) => {
      if (serverOn === 'netns') {
        return call.server;
      }
      const host = name ? call.namespaces[name].rootIp : '127.0.0.1';
      return { ...call.server, baseUrl: `http://${host}:${port}` };
    };
    // getUserMedia needs a secure context, which plain http is only on loopback; this flag
    // marks the server's origin secure and changes nothing in ICE.
    const secureOrigin = (name) => `--unsafely-treat-insecure-origin-as-secure=${side(name).baseUrl}`;
    if (participants.some((p) => !p.netns)) {
      call.rootBrowser = await launchChromium({ args: serverOn === 'netns' ? [secureOrigin()] : [] });
    }
    for (const name of names) {
      call.browsers[name] = await call.namespaces[name].launchChromium({ args: [secureOrigin(name), ...netnsBrowserArgs] });
    }

    if (participants.length > 0) {
      call.roomId = await createRoom(side());
      for (const { netns, ...who } of participants) {
        const browser = netns ? call.browsers[netns] : call.rootBrowser;
        call.pages.push(await joinCall(browser, side(netns), call.roomId, who));
      }
      call.media = await Promise.all(call.pages.map((p) => waitForRemoteMedia(p, { timeoutMs: mediaTimeoutMs })));
    }
  } catch (err) {
    await printDiagnostics(t, call);
    await call.close().catch((closeErr) => t.diagnostic(`teardown: ${closeErr.errors?.join('; ') ?? closeErr}`));
    throw err;
  }
  return call;
}

/**
 * A test whose body runs in a netns call: startNetnsCall(t, options), then `body(call)`;
 * when the body throws, the server log, every page's console (and coturn's log) are
 * printed before the error is rethrown, and the call is closed either way.
 * @param {import('node:test').TestContext} t
 * @param {NetnsCallOptions} options
 * @param {(call: Awaited<ReturnType<typeof startNetnsCall>>) => Promise<void>} body
 */
export async function withNetnsCall(t, options, body) {
  const call = await startNetnsCall(t, options);
  try {
    await body(call);
  } catch (err) {
    await printDiagnostics(t, call);
    // The body's error is the one to report; a failed teardown is reported by t.after.
    await call.close().catch(() => {});
    throw err;
  }
  await call.close();
}

async function printDiagnostics(t, call) {
  t.diagnostic(`server log:\n${call.server?.logs() ?? '(no server)'}`);
  for (const page of call.pages) {
    t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
  }
  if (call.turn) {
    t.diagnostic(`coturn log (tail):\n${await call.turn.logTail().catch((err) => err.message)}`);
  }
}

/** Pages, browsers, server, coturn, namespaces: every step runs even when one before failed. */
async function teardown(call) {
  const steps = [
    () => closePages(call.pages),
    () => call.rootBrowser?.close(),
    ...Object.values(call.browsers).map((b) => () => b.close()),
    () => call.server?.stop(),
    () => call.turn?.stop(),
    // Deleting a namespace removes its caps and loss rules with its veth.
    ...Object.values(call.namespaces).map((ns) => () => ns.destroy()),
  ];
  const errors = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, 'netns call teardown failed');
  }
}
