// The pre-join step shared by every call page: acquire camera + microphone, show the
// preview and plain-words device errors, and offer "Use microphone only" / "Try camera
// again". The page decides what "Join" does.
import { t } from '../i18n';
import { debug } from './debug';
import { acquireAudioOnly, acquireFull, stopMedia, type LocalMedia } from './media';
import type { CallUi } from './ui';

export interface MediaHolder {
  media: LocalMedia | null;
}

export async function preparePrejoin(ui: CallUi, holder: MediaHolder, onMediaChanged?: (media: LocalMedia) => void): Promise<void> {
  ui.show('loading');
  ui.setStatus(t.startingCamera);

  const applyMedia = (note: string): void => {
    const media = holder.media;
    if (!media) {
      return;
    }
    ui.setPreview(media.stream);
    ui.setDeviceError(media.error ?? null, note, media.mode === 'none');
    onMediaChanged?.(media);
  };

  holder.media = await acquireFull();
  applyMedia(holder.media.error ? t.noDevicesNote : '');
  debug.state = 'prejoin';
  ui.show('prejoin');
  ui.setStatus(holder.media.error ? t.devicesError(holder.media.error) : '');

  ui.micOnlyButton.addEventListener('click', async () => {
    try {
      const media = await acquireAudioOnly();
      stopMedia(holder.media);
      holder.media = { ...media, ...(holder.media?.error ? { error: holder.media.error } : {}) };
      applyMedia(t.audioOnlyNote);
      ui.micOnlyButton.hidden = true;
      ui.setStatus(t.audioOnlyNote);
    } catch (err) {
      ui.setStatus(t.devicesError(err instanceof Error ? err.message : t.deviceOther));
      ui.deviceErrorText.textContent = t.devicesError(err instanceof Error ? err.message : t.deviceOther);
    }
  });
  ui.retryButton.addEventListener('click', async () => {
    stopMedia(holder.media);
    holder.media = await acquireFull();
    applyMedia(holder.media.error ? t.noDevicesNote : '');
    ui.setStatus(holder.media.error ? t.devicesError(holder.media.error) : '');
  });
}
