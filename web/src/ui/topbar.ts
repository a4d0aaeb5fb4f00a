// The page header shared by every page: the page's name as <h1>, the language switch and
// optional extra controls (e.g. "Sign out").
import { h } from '../dom';
import { languageSwitch } from './language-switch';

export function topbar(title: string, ...extra: Node[]): HTMLElement {
  return h(
    'header',
    { class: 'topbar' },
    h('h1', {}, title),
    h('div', { class: 'topbar-tools' }, ...extra, languageSwitch()),
  );
}
