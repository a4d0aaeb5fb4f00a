// Entry of call.html (/call/<room>#t=<token>): the integrator rooms flow.
import '../styles.css';
import { t } from '../i18n';
import { byId } from '../dom';
import { onBeforeLanguageReload } from '../ui/language-switch';
import { CallQuality } from './call-quality';
import { debug } from './debug';
import { preparePrejoin } from './prejoin';
import { Session } from './session';
import { stashForReload, takeTokenFromLocation } from './token';
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
  // Switching the language reloads the page; keep the token for this tab only.
  onBeforeLanguageReload(() => stashForReload('t', token));
  const session = new Session(token, ui);
  session.addExtension(new CallQuality(ui));
  await preparePrejoin(ui, session);
  ui.joinButton.addEventListener('click', () => session.join());
}

void main();
