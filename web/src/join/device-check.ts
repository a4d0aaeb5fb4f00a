// The patient's device check before joining: camera (the preview above it), microphone
// (a live level meter from a Web Audio AnalyserNode, exposed as role="meter"), the
// connection to our own server (round trips to /api/v1/network-check, or /healthz when
// the server has no such endpoint) and whether video calls get through this network at
// all (call-path.ts: a real ICE/DTLS connection over UDP, TCP, then TURN). Every result
// is a sentence, not a colour.
import { h } from '../dom';
import { t } from '../i18n';
import type { LocalMedia } from '../call/media';
import { checkCallPath, type CallPathReport, type PathResult, type ProbeCredential } from './call-path';

const SLOW_MS = 400;
const MIC_HEARD_LEVEL = 4;

type Result = 'pass' | 'fail' | 'warn' | 'pending';

function row(label: string, ...extra: Node[]): { root: HTMLElement; text: HTMLElement } {
  const text = h('p', { class: 'check-text' }, t.checking);
  const root = h('li', { class: 'check', 'data-result': 'pending' }, h('h3', { class: 'check-label' }, label), ...extra, text);
  return { root, text };
}

function set(r: { root: HTMLElement; text: HTMLElement }, result: Result, text: string): void {
  r.root.dataset.result = result;
  if (r.text.textContent !== text) {
    r.text.textContent = text;
  }
}

export async function measureRoundTrip(): Promise<number | null> {
  const probe = async (path: string): Promise<number | null> => {
    const started = performance.now();
    const res = await fetch(path, { cache: 'no-store', credentials: 'omit' });
    await res.arrayBuffer();
    return res.ok ? performance.now() - started : null;
  };
  try {
    let path = '/api/v1/network-check';
    let first = await probe(path);
    if (first === null) {
      path = '/healthz';
      first = await probe(path);
    }
    if (first === null) {
      return null;
    }
    // The first request may include connection setup; take the best of three.
    const more = [await probe(path), await probe(path)].filter((v): v is number => v !== null);
    return Math.round(Math.min(first, ...more));
  } catch {
    return null;
  }
}

export class DeviceCheck {
  private readonly meterFill = h('span', { class: 'meter-fill' });
  readonly meter = h(
    'div',
    { class: 'meter', role: 'meter', 'aria-label': t.micLevel, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' },
    this.meterFill,
  );
  private readonly camera = row(t.cameraCheck);
  private readonly mic = row(t.micCheck, this.meter);
  private readonly network = row(t.networkCheck);
  // The call-path result is announced when it arrives (role="status" is a polite live
  // region), with the per-path detail below it for the patient's IT.
  private readonly pathDetail = h('ul', { class: 'path-detail', 'aria-label': t.callPathDetail });
  private readonly callPath = row(t.callPathCheck, this.pathDetail);
  private readonly againButton = h('button', { type: 'button', class: 'btn secondary' }, t.checkAgain);
  readonly root = h(
    'section',
    { class: 'device-check', 'aria-labelledby': 'device-check-title' },
    h('h2', { id: 'device-check-title' }, t.deviceCheckTitle),
    h('ul', { class: 'checks' }, this.camera.root, this.mic.root, this.network.root, this.callPath.root),
    this.againButton,
  );
  private audioCtx: AudioContext | null = null;
  private timer: number | undefined;
  private heard = false;
  private pathRunning = false;

  /** `credential`: what authorizes the call-path probe (a join token, or the invitation link or code); null skips it. */
  constructor(private readonly credential: () => ProbeCredential | null = () => null) {
    this.callPath.text.setAttribute('role', 'status');
    this.callPath.root.append(this.callPath.text); // the sentence first, the detail list after it
    this.callPath.root.append(this.pathDetail);
    this.againButton.addEventListener('click', () => {
      void this.checkNetwork();
      void this.checkCallPath();
    });
    // Browsers start audio only after a gesture; any key or click resumes the meter.
    const resume = (): void => void this.audioCtx?.resume().catch(() => undefined);
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
  }

  /** (Re)checks camera and microphone of `media`, and the network once. */
  start(media: LocalMedia): void {
    this.stopMeter();
    const video = media.stream.getVideoTracks()[0];
    if (video && video.readyState === 'live') {
      set(this.camera, 'pass', t.cameraOk);
    } else {
      set(this.camera, 'fail', t.cameraFail(media.error ?? t.deviceMissing));
    }
    const audio = media.stream.getAudioTracks()[0];
    if (audio && audio.readyState === 'live') {
      set(this.mic, this.heard ? 'pass' : 'warn', this.heard ? t.micOk : t.micSilent);
      this.startMeter(new MediaStream([audio]));
    } else {
      this.meter.hidden = true;
      set(this.mic, 'fail', t.micFail(media.error ?? t.deviceMissing));
    }
    if (this.network.root.dataset.result === 'pending') {
      void this.checkNetwork();
      void this.checkCallPath();
    }
  }

  stop(): void {
    this.stopMeter();
  }

  private startMeter(stream: MediaStream): void {
    try {
      this.audioCtx = new AudioContext();
      const source = this.audioCtx.createMediaStreamSource(stream);
      const analyser = this.audioCtx.createAnalyser();
      analyser.fftSize = 1024;
      source.connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      this.meter.hidden = false;
      this.timer = window.setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) {
          sum += s * s;
        }
        const rms = Math.sqrt(sum / samples.length);
        // Speech sits around 0.02–0.2 RMS; scale so normal talking fills most of the bar.
        const level = Math.min(100, Math.round(rms * 400));
        this.meter.setAttribute('aria-valuenow', String(level));
        this.meterFill.style.transform = `scaleX(${level / 100})`;
        if (level >= MIC_HEARD_LEVEL && !this.heard) {
          this.heard = true;
          set(this.mic, 'pass', t.micOk);
        }
      }, 100);
    } catch (err) {
      console.warn('medrtc: no audio level meter', err);
      this.meter.hidden = true;
      set(this.mic, 'pass', t.micOk);
    }
  }

  private stopMeter(): void {
    window.clearInterval(this.timer);
    void this.audioCtx?.close().catch(() => undefined);
    this.audioCtx = null;
  }

  private async checkNetwork(): Promise<void> {
    set(this.network, 'pending', t.checking);
    const ms = await measureRoundTrip();
    if (ms === null) {
      set(this.network, 'fail', t.networkFail);
    } else if (ms > SLOW_MS) {
      set(this.network, 'warn', t.networkSlow(ms));
    } else {
      set(this.network, 'pass', t.networkOk(ms));
    }
  }

  private async checkCallPath(): Promise<void> {
    const credential = this.credential();
    if (this.pathRunning) {
      return;
    }
    if (!credential) {
      this.callPath.root.hidden = true;
      return;
    }
    this.pathRunning = true;
    this.againButton.disabled = true;
    this.callPath.root.hidden = false;
    this.pathDetail.replaceChildren();
    set(this.callPath, 'pending', t.callPathChecking);
    try {
      const report = await checkCallPath(credential, (paths) => this.showPaths(paths));
      this.showReport(report);
    } finally {
      this.pathRunning = false;
      this.againButton.disabled = false;
    }
  }

  private showReport(report: CallPathReport): void {
    this.showPaths(report.paths);
    const working = report.paths.find((p) => p.outcome === 'works');
    this.callPath.root.dataset.path = working?.path ?? '';
    this.callPath.root.dataset.protocol = working?.protocol ?? '';
    this.callPath.root.dataset.relayProtocol = working?.relayProtocol ?? '';
    if (report.overall === 'works') {
      set(this.callPath, 'pass', t.callPathOk);
    } else if (report.overall === 'blocked') {
      set(this.callPath, 'fail', t.callPathBlocked);
    } else {
      set(this.callPath, 'warn', t.callPathUnknown);
    }
  }

  private showPaths(paths: PathResult[]): void {
    this.pathDetail.replaceChildren(
      ...paths.map((p) => h('li', { 'data-path': p.path, 'data-outcome': p.outcome }, t.callPathLine(p.path, p.outcome, p.relayProtocol ?? ''))),
    );
  }
}
