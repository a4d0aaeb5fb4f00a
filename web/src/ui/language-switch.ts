// The visible language switch: a <select> named by its <label> ("Language", "Sprache",
// "Langue"). Each option is written in its own language (and marked with `lang`) so a
// person finds theirs whatever the page currently shows. Choosing one saves it and
// reloads the page; pages that hold state only in memory save it first (onBeforeReload).
import { h } from '../dom';
import { languages, saveLanguage, t } from '../i18n';

let beforeReload: (() => void) | null = null;

/** Lets a page keep what it needs across the reload (in sessionStorage). */
export function onBeforeLanguageReload(fn: () => void): void {
  beforeReload = fn;
}

export function languageSwitch(): HTMLElement {
  const select = h('select', { id: 'language-select', class: 'language-select' });
  for (const [code, strings] of Object.entries(languages)) {
    const option = h('option', { value: code, lang: code }, strings.languageName);
    option.selected = code === t.lang;
    select.append(option);
  }
  select.addEventListener('change', () => {
    saveLanguage(select.value);
    beforeReload?.();
    location.reload();
  });
  return h('div', { class: 'language-switch' }, h('label', { for: 'language-select' }, t.language), select);
}
