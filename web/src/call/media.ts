// Local camera and microphone: acquiring them (with plain-words errors) and muting.
// Muting disables the track (the sender then sends silence / black frames), so the
// connection does not need renegotiating.
import { t } from '../i18n';

export type MediaMode = 'full' | 'audio' | 'none';

export interface LocalMedia {
  stream: MediaStream;
  mode: MediaMode;
  /** Set when the full (audio+video) request failed, in plain words. */
  error?: string;
}

const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export function describeMediaError(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return t.deviceDenied;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return t.deviceMissing;
    case 'NotReadableError':
    case 'AbortError':
      return t.deviceBusy;
    case 'TypeError':
      return t.deviceUnsupported;
    default:
      return t.deviceOther;
  }
}

async function getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new TypeError('mediaDevices unavailable');
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** Camera + microphone; on failure an empty stream with `error` set. */
export async function acquireFull(): Promise<LocalMedia> {
  try {
    return { stream: await getUserMedia({ audio: AUDIO, video: VIDEO }), mode: 'full' };
  } catch (err) {
    console.warn('medrtc: getUserMedia(audio+video) failed', err);
    return { stream: new MediaStream(), mode: 'none', error: describeMediaError(err) };
  }
}

/** Microphone only; throws a plain-words Error on failure. */
export async function acquireAudioOnly(): Promise<LocalMedia> {
  try {
    return { stream: await getUserMedia({ audio: AUDIO, video: false }), mode: 'audio' };
  } catch (err) {
    console.warn('medrtc: getUserMedia(audio) failed', err);
    throw new Error(describeMediaError(err));
  }
}

export function stopMedia(media: LocalMedia | null): void {
  media?.stream.getTracks().forEach((track) => track.stop());
}

export function setTrackEnabled(media: LocalMedia | null, kind: 'audio' | 'video', enabled: boolean): void {
  media?.stream.getTracks().filter((track) => track.kind === kind).forEach((track) => {
    track.enabled = enabled;
  });
}

export function hasTrack(media: LocalMedia | null, kind: 'audio' | 'video'): boolean {
  return (media?.stream.getTracks() ?? []).some((track) => track.kind === kind);
}
