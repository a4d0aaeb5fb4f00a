// Picks the UI language: the person's own choice (the language switch, kept in
// localStorage) first, then the browser's preferred languages, then English.
import { de } from './de';
import { en, type Strings } from './en';
import { fr } from './fr';

export const languages: Record<string, Strings> = { en, de, fr };
export const STORAGE_KEY = 'medrtc.lang';

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy mode): fall back to the browser's choice
  }
}

export function pickLanguage(preferred: readonly string[], saved: string | null): Strings {
  if (saved && languages[saved]) {
    return languages[saved];
  }
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    const found = languages[base];
    if (found) {
      return found;
    }
  }
  return en;
}

/** Saves the choice; the caller reloads the page so every string is rebuilt in it. */
export function saveLanguage(lang: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; the reload still shows the browser's language
  }
}

export const t: Strings = pickLanguage(navigator.languages ?? [navigator.language], stored());
document.documentElement.lang = t.lang;
