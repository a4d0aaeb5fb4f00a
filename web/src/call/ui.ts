// The call page's DOM: screens (pre-join, call, end), status/alert live regions, tiles
// and controls. No call logic here; session.ts drives it.
import { h } from '../dom';
import { t } from '../i18n';
import { topbar } from '../ui/topbar';
import type { Participant } from './protocol';

export type Screen = 'loading' | 'prejoin' | 'waiting' | 'call' | 'end' | string;

export interface CallUiOptions {
  /** Pre-join heading and hint (the consultation entry page has its own words). */
  prejoinTitle?: string;
  prejoinHint?: string;
  /** Extra parts of the pre-join screen before/after the camera preview (name, checks). */
  beforePreview?: Node[];
  afterPreview?: Node[];
  /** Extra controls in the page header (e.g. "Back to appointments"). */
  topbarExtra?: Node[];
}

interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  caption: HTMLElement;
  micBadge: HTMLElement;
  camBadge: HTMLElement;
  /** Remote tiles: "Connecting…" until the first frame, so a tile is never silently black. */
  connectingBadge: HTMLElement | null;
  placeholder: HTMLElement;
  stream: MediaStream | null;
  receivedFrame: boolean;
  videoMuted: boolean;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => p.charAt(0).toUpperCase()).join('') || '?';
}

export class CallUi {
  readonly status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  readonly alert = h('div', { id: 'alert', class: 'alert', role: 'alert' });

  // Pre-join
  readonly preview = h('video', { class: 'preview-video mirrored', autoplay: true, playsinline: true, 'aria-label': t.previewLabel });
  readonly previewPlaceholder = h('div', { class: 'preview-placeholder', hidden: true, 'aria-hidden': 'true' }, t.cameraOffBadge);
  readonly deviceErrorText = h('p', { class: 'device-error-text' });
  readonly deviceNote = h('p', { class: 'device-note' });
  readonly micOnlyButton = h('button', { type: 'button', class: 'btn secondary' }, t.useMicOnly);
  readonly retryButton = h('button', { type: 'button', class: 'btn secondary' }, t.retryDevices);
  readonly deviceError = h(
    'div',
    { class: 'device-error', hidden: true },
    this.deviceErrorText,
    h('p', {}, t.devicesErrorHint),
    this.deviceNote,
    h('div', { class: 'button-row' }, this.micOnlyButton, this.retryButton),
  );
  readonly joinButton = h('button', { type: 'button', class: 'btn primary big', id: 'join' }, t.join);

  // Waiting room (guests of a consultation): only their own position, nothing else.
  readonly waitingPosition = h('p', { class: 'waiting-position', id: 'waiting-position', 'aria-live': 'polite', 'aria-atomic': 'true' });
  readonly waitingPreview = h('video', { class: 'waiting-preview mirrored', autoplay: true, playsinline: true, 'aria-label': t.previewLabel });

  // Call
  readonly tiles = h('div', { class: 'tiles', id: 'tiles' });
  /** Beside the tiles: the host's waiting room and the chat, when the page adds them. */
  readonly side = h('div', { class: 'call-side' });
  readonly muteButton = h('button', { type: 'button', class: 'btn control', 'aria-pressed': 'false', id: 'btn-mute' }, t.mute);
  readonly cameraButton = h('button', { type: 'button', class: 'btn control', 'aria-pressed': 'false', id: 'btn-camera' }, t.cameraOff);
  readonly leaveButton = h('button', { type: 'button', class: 'btn danger control', id: 'btn-leave' }, t.leave);
  /** Media did not get through (media-watch.ts): what to check, and a way to set it up again. */
  readonly mediaRetryButton = h('button', { type: 'button', class: 'btn primary' }, t.tryAgain);
  readonly mediaNotice = h(
    'div',
    { class: 'media-notice', id: 'media-notice', role: 'alert', hidden: true },
    h('p', {}, t.mediaStuck),
    h('div', { class: 'button-row' }, this.mediaRetryButton),
  );

  // End
  readonly endTitle = h('h2', { id: 'end-title', tabindex: '-1' });
  readonly endText = h('p', { id: 'end-text' });
  readonly rejoinButton = h('button', { type: 'button', class: 'btn primary big', hidden: true }, t.rejoin);
  readonly tryAgainButton = h('button', { type: 'button', class: 'btn primary big', hidden: true }, t.tryAgain);

  readonly controls: HTMLElement;
  private readonly main: HTMLElement;
  private readonly screens: Record<Screen, HTMLElement>;
  private readonly headings: Record<Screen, HTMLElement>;
  private local: Tile | null = null;
  private readonly remotes = new Map<string, Tile>();
  private firstFrameHandler: (() => void) | null = null;

  constructor(root: HTMLElement, opts: CallUiOptions = {}) {
    const loadingHeading = h('h2', { tabindex: '-1' }, t.startingCamera);
    const prejoinHeading = h('h2', { id: 'prejoin-title', tabindex: '-1' }, opts.prejoinTitle ?? t.prejoinTitle);
    const waitingHeading = h('h2', { id: 'waiting-title', tabindex: '-1' }, t.waitingTitle);
    const callHeading = h('h2', { class: 'visually-hidden', tabindex: '-1' }, t.callRegion);
    this.controls = h('div', { class: 'controls', role: 'group', 'aria-label': t.controlsRegion }, this.muteButton, this.cameraButton, this.leaveButton);
    this.headings = { loading: loadingHeading, prejoin: prejoinHeading, waiting: waitingHeading, call: callHeading, end: this.endTitle };
    this.screens = {
      loading: h('section', { class: 'screen screen-loading' }, loadingHeading),
      prejoin: h(
        'section',
        { class: 'screen screen-prejoin', 'aria-labelledby': 'prejoin-title', hidden: true },
        prejoinHeading,
        h('p', {}, opts.prejoinHint ?? t.prejoinHint),
        ...(opts.beforePreview ?? []),
        h('div', { class: 'preview-row' }, h('div', { class: 'preview' }, this.preview, this.previewPlaceholder), ...(opts.afterPreview ?? [])),
        this.deviceError,
        this.joinButton,
      ),
      waiting: h(
        'section',
        { class: 'screen screen-waiting', 'aria-labelledby': 'waiting-title', hidden: true },
        waitingHeading,
        h('p', { class: 'waiting-text' }, t.waitingText),
        this.waitingPosition,
        h('p', {}, t.waitingHint),
        h('div', { class: 'waiting-self' }, this.waitingPreview),
      ),
      call: h(
        'section',
        { class: 'screen screen-call', 'aria-label': t.callRegion, hidden: true },
        callHeading,
        this.mediaNotice,
        h('div', { class: 'call-layout' }, this.tiles, this.side),
        this.controls,
      ),
      end: h(
        'section',
        { class: 'screen screen-end', 'aria-labelledby': 'end-title', hidden: true },
        this.endTitle,
        this.endText,
        h('div', { class: 'button-row' }, this.rejoinButton, this.tryAgainButton),
      ),
    };
    this.main = h('main', { id: 'main' }, ...Object.values(this.screens));
    root.replaceChildren(topbar(t.appName, ...(opts.topbarExtra ?? [])), this.status, this.alert, this.main);
  }

  /** Adds a page's own screen (e.g. code entry), shown with show(name). */
  addScreen(name: string, section: HTMLElement, heading: HTMLElement): void {
    section.hidden = true;
    section.classList.add('screen');
    this.screens[name] = section;
    this.headings[name] = heading;
    this.main.prepend(section);
  }

  /** The waiting screen: own position in the queue and own camera, nothing about others. */
  showWaiting(position: number, stream: MediaStream | null): void {
    const text = position > 0 ? t.waitingPosition(position) : '';
    if (this.waitingPosition.textContent !== text) {
      this.waitingPosition.textContent = text;
    }
    const hasVideo = !!stream && stream.getVideoTracks().length > 0;
    this.waitingPreview.hidden = !hasVideo;
    if (hasVideo && this.waitingPreview.srcObject !== stream) {
      this.waitingPreview.srcObject = stream;
      this.waitingPreview.muted = true;
      void this.waitingPreview.play().catch(() => undefined);
    }
    if (this.screens.waiting?.hidden) {
      this.show('waiting');
    }
  }

  /** Host controls on a remote tile ("Mute <name>", "Remove <name>"); replaces earlier ones. */
  setTileActions(participantId: string, nodes: Node[]): void {
    const tile = this.remotes.get(participantId);
    if (!tile) {
      return;
    }
    tile.root.querySelector('.tile-actions')?.remove();
    if (nodes.length > 0) {
      tile.root.append(h('div', { class: 'tile-actions' }, ...nodes));
    }
  }

  show(screen: Screen): void {
    for (const [name, el] of Object.entries(this.screens)) {
      el.hidden = name !== screen;
    }
    this.headings[screen]?.focus();
    if (screen !== 'waiting') {
      this.waitingPreview.srcObject = null;
    }
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  showMediaStuck(stuck: boolean): void {
    this.mediaNotice.hidden = !stuck;
  }

  get mediaStuckShown(): boolean {
    return !this.mediaNotice.hidden;
  }

  setAlert(text: string): void {
    this.alert.textContent = text;
    this.alert.classList.toggle('visible', text.length > 0);
  }

  // ---- pre-join

  setPreview(stream: MediaStream): void {
    const hasVideo = stream.getVideoTracks().length > 0;
    this.preview.srcObject = hasVideo ? stream : null;
    this.preview.muted = true;
    this.preview.hidden = !hasVideo;
    this.previewPlaceholder.hidden = hasVideo;
    if (hasVideo) {
      void this.preview.play().catch(() => undefined);
    }
  }

  setDeviceError(error: string | null, note: string, canTryMic: boolean): void {
    this.deviceError.hidden = error === null;
    this.deviceErrorText.textContent = error === null ? '' : t.devicesError(error);
    this.deviceNote.textContent = note;
    this.micOnlyButton.hidden = !canTryMic;
  }

  // ---- call

  onFirstRemoteFrame(handler: () => void): void {
    this.firstFrameHandler = handler;
  }

  setLocal(stream: MediaStream): void {
    if (!this.local) {
      this.local = this.makeTile(t.you, true);
      this.tiles.prepend(this.local.root);
    }
    this.attach(this.local, stream.getVideoTracks().length > 0 ? stream : null);
    this.local.video.muted = true;
    this.setTileMuted(this.local, 'video', stream.getVideoTracks().length === 0);
    this.setTileMuted(this.local, 'audio', stream.getAudioTracks().length === 0);
  }

  setLocalMuted(kind: 'audio' | 'video', muted: boolean): void {
    if (this.local) {
      this.setTileMuted(this.local, kind, muted);
    }
  }

  upsertRemote(p: Participant): void {
    let tile = this.remotes.get(p.participant_id);
    if (!tile) {
      tile = this.makeTile(p.name || t.guest, false);
      tile.root.dataset.participantId = p.participant_id;
      this.remotes.set(p.participant_id, tile);
      this.tiles.append(tile.root);
    } else {
      this.setTileName(tile, p.name || t.guest);
    }
    this.setTileMuted(tile, 'audio', p.audio_muted);
    this.setTileMuted(tile, 'video', p.video_muted);
    this.updateLayout();
  }

  attachRemote(participantId: string, stream: MediaStream): void {
    const tile = this.remotes.get(participantId);
    if (tile) {
      this.attach(tile, stream);
    }
  }

  setRemoteMuted(participantId: string, kind: 'audio' | 'video', muted: boolean): void {
    const tile = this.remotes.get(participantId);
    if (tile) {
      this.setTileMuted(tile, kind, muted);
    }
  }

  removeRemote(participantId: string): void {
    const tile = this.remotes.get(participantId);
    if (tile) {
      tile.video.srcObject = null;
      tile.root.remove();
      this.remotes.delete(participantId);
      this.updateLayout();
    }
  }

  clearTiles(): void {
    for (const id of [...this.remotes.keys()]) {
      this.removeRemote(id);
    }
    if (this.local) {
      this.local.video.srcObject = null;
      this.local.root.remove();
      this.local = null;
    }
  }

  /** A tile's element for extensions that decorate it (call-quality.ts); null: our own. */
  tileRoot(participantId: string | null): HTMLElement | null {
    const tile = participantId === null ? this.local : this.remotes.get(participantId);
    return tile ? tile.root : null;
  }

  remoteCount(): number {
    return this.remotes.size;
  }

  setToggle(button: HTMLButtonElement, pressed: boolean, available: boolean): void {
    button.setAttribute('aria-pressed', String(pressed));
    button.disabled = !available;
  }

  // ---- end

  showEnd(title: string, text: string, action: 'rejoin' | 'retry' | 'none'): void {
    this.endTitle.textContent = title;
    this.endText.textContent = text;
    this.rejoinButton.hidden = action !== 'rejoin';
    this.tryAgainButton.hidden = action !== 'retry';
    this.show('end');
  }

  // ---- tiles

  private makeTile(name: string, local: boolean): Tile {
    const video = h('video', { class: local ? 'tile-video mirrored' : 'tile-video', autoplay: true, playsinline: true });
    video.muted = local;
    const placeholder = h('div', { class: 'tile-placeholder', 'aria-hidden': 'true' }, initials(name));
    const caption = h('span', { class: 'tile-name' }, name);
    const micBadge = h('span', { class: 'badge', hidden: true }, t.micOffBadge);
    const camBadge = h('span', { class: 'badge', hidden: true }, t.cameraOffBadge);
    const connectingBadge = local ? null : h('span', { class: 'badge connecting' }, t.connecting);
    const root = h(
      'figure',
      { class: local ? 'tile local' : 'tile remote', 'aria-label': t.tileLabel(name) },
      video,
      placeholder,
      h('figcaption', { class: 'tile-caption' }, caption, micBadge, camBadge, ...(connectingBadge ? [connectingBadge] : [])),
    );
    return { root, video, caption, micBadge, camBadge, connectingBadge, placeholder, stream: null, receivedFrame: false, videoMuted: false };
  }

  private setTileName(tile: Tile, name: string): void {
    tile.caption.textContent = name;
    tile.placeholder.textContent = initials(name);
    tile.root.setAttribute('aria-label', t.tileLabel(name));
  }

  private setTileMuted(tile: Tile, kind: 'audio' | 'video', muted: boolean): void {
    if (kind === 'audio') {
      tile.micBadge.hidden = !muted;
      tile.root.classList.toggle('audio-muted', muted);
    } else {
      tile.camBadge.hidden = !muted;
      tile.root.classList.toggle('video-muted', muted);
      tile.videoMuted = muted;
      this.updateConnecting(tile);
    }
  }

  /** A camera that is off sends no frames: its badge says so instead of "Connecting…". */
  private updateConnecting(tile: Tile): void {
    if (tile.connectingBadge) {
      tile.connectingBadge.hidden = tile.receivedFrame || tile.videoMuted;
    }
  }

  private attach(tile: Tile, stream: MediaStream | null): void {
    if (tile.stream === stream) {
      return;
    }
    tile.stream = stream;
    tile.video.srcObject = stream;
    tile.receivedFrame = false;
    this.updateConnecting(tile);
    if (!stream) {
      return;
    }
    void tile.video.play().catch(() => undefined);
    if (!tile.root.classList.contains('local')) {
      this.watchFirstFrame(tile, stream);
    }
  }

  private watchFirstFrame(tile: Tile, stream: MediaStream): void {
    const video = tile.video;
    const fire = (): void => {
      if (tile.stream === stream) {
        tile.receivedFrame = true;
        this.updateConnecting(tile);
      }
      const handler = this.firstFrameHandler;
      if (handler) {
        handler();
      }
    };
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback(() => fire());
    } else {
      const el = video as HTMLVideoElement;
      el.addEventListener('loadeddata', fire, { once: true });
    }
  }

  private updateLayout(): void {
    const count = this.remotes.size + (this.local ? 1 : 0);
    this.tiles.dataset.count = String(count);
  }
}
