#!/usr/bin/env node
// Does this machine's WebKitGTK (Safari's engine, Debian's webkit2gtk-driver) have WebRTC?
// Starts WebKitWebDriver under xvfb-run, opens MiniBrowser over WebDriver classic (plain
// HTTP, no client library) with WebRTC, MediaStream and mock capture devices enabled,
// loads `url` (a secure context: http://127.0.0.1:… or https), and reports getUserMedia's
// tracks and whether RTCPeerConnection exists; if it does, two peer connections in the
// page call each other and the decoded frames are reported. Exit 0 when WebRTC works.
// Usage: xvfb and webkit2gtk-driver installed; node tests/support/webkit-probe.mjs URL
// (tests/e2e/README.md has what it found on Debian 12).
import { spawn } from 'node:child_process';

const url = process.argv[2];
if (!url) {
  console.error('usage: webkit-probe.mjs URL (a page of a secure origin, e.g. http://127.0.0.1:8080/)');
  process.exit(2);
}
const port = 4000 + Math.floor(Math.random() * 1000);
const driver = spawn('xvfb-run', ['-a', '/usr/bin/WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true });
const base = `http://127.0.0.1:${port}`;

async function call(method, path, body) {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  return (await res.json()).value;
}

// Runs in MiniBrowser (WebDriver "execute async": the last argument is the callback).
const probe = `const done = arguments[arguments.length - 1]; (async () => {
  const out = { userAgent: navigator.userAgent, RTCPeerConnection: typeof RTCPeerConnection };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    out.tracks = stream.getTracks().map((t) => t.kind + ': ' + t.label);
    if (typeof RTCPeerConnection === 'undefined') { done(out); return; }
    const a = new RTCPeerConnection(); const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    stream.getTracks().forEach((t) => a.addTrack(t, stream));
    await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
    await new Promise((r) => setTimeout(r, 5000));
    out.connectionStates = [a.connectionState, b.connectionState];
    (await b.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded = s.framesDecoded; });
  } catch (err) { out.error = String(err); }
  done(out);
})();`;

let ok = false;
try {
  for (let i = 0; ; i += 1) {
    try {
      await call('GET', '/status');
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const session = await call('POST', '/session', { capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': {
    binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    args: ['--automation', '--enable-webrtc=true', '--enable-media-stream=true', '--enable-mock-capture-devices=true',
      '--media-playback-requires-user-gesture=false'],
  } } } });
  console.log(`MiniBrowser ${session.capabilities.browserVersion}`);
  await call('POST', `/session/${session.sessionId}/url`, { url });
  const out = await call('POST', `/session/${session.sessionId}/execute/async`, { script: probe, args: [] });
  console.log(JSON.stringify(out, null, 2));
  ok = out.RTCPeerConnection === 'function' && out.framesDecoded > 0;
  await call('DELETE', `/session/${session.sessionId}`);
} finally {
  process.kill(-driver.pid);
}
process.exit(ok ? 0 : 1);
