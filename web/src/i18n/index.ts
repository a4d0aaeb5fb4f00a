// Picks the UI language. Only English exists yet; German and French are added by
// writing de.ts / fr.ts with the same `Strings` shape and listing them here.
import { en, type Strings } from './en';

const languages: Record<string, Strings> = { en };

function pick(): Strings {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    const found = languages[base];
    if (found) {
      return found;
    }
  }
  return en;
}

export const t: Strings = pick();
document.documentElement.lang = t.lang;
