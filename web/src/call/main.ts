// Entry of call.html (/call/<room>#t=<token>).
import '../styles.css';
import { t } from '../i18n';
import { byId } from '../dom';
import { debug } from './debug';
import { acquireAudioOnly, acquireFull, stopMedia } from './media';
import { Session } from './session';
import { takeTokenFromLocation } from './token';
import { CallUi } from './ui';

const token = takeTokenFromLocation();
document.title = t.appName;
const ui = new CallUi(byId('app'));

async function main(): Promise<void> {
  if (token === null) {
    debug.state = 'error';
    ui.showEnd(t.errorTitle, t.missingToken, 'none');
    return;
  }
  const session = new Session(token, ui);
  ui.show('loading');
  ui.setStatus(t.startingCamera);

  const applyMedia = (note: string): void => {
    const media = session.media;
    if (!media) {
      return;
    }
    ui.setPreview(media.stream);
    ui.setDeviceError(media.error ?? null, note, media.mode === 'none');
  };

  session.media = await acquireFull();
  applyMedia(session.media.error ? t.noDevicesNote : '');
  debug.state = 'prejoin';
  ui.show('prejoin');
  ui.setStatus(session.media.error ? t.devicesError(session.media.error) : '');

  ui.micOnlyButton.addEventListener('click', async () => {
    try {
      const media = await acquireAudioOnly();
      stopMedia(session.media);
      session.media = { ...media, ...(session.media?.error ? { error: session.media.error } : {}) };
      applyMedia(t.audioOnlyNote);
      ui.micOnlyButton.hidden = true;
      ui.setStatus(t.audioOnlyNote);
    } catch (err) {
      ui.setStatus(t.devicesError(err instanceof Error ? err.message : t.deviceOther));
      ui.deviceErrorText.textContent = t.devicesError(err instanceof Error ? err.message : t.deviceOther);
    }
  });
  ui.retryButton.addEventListener('click', async () => {
    stopMedia(session.media);
    session.media = await acquireFull();
    applyMedia(session.media.error ? t.noDevicesNote : '');
    ui.setStatus(session.media.error ? t.devicesError(session.media.error) : '');
  });
  ui.joinButton.addEventListener('click', () => session.join());
}

void main();
