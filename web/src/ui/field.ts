// A labelled form field: <label for>, an optional hint tied by aria-describedby, and the
// input. The label text is the field's accessible name.
import { h } from '../dom';

export interface FieldOptions {
  id: string;
  label: string;
  hint?: string;
  type?: string;
  [attr: string]: string | boolean | undefined;
}

export interface Field {
  root: HTMLElement;
  input: HTMLInputElement;
  hint: HTMLElement | null;
}

export function field(opts: FieldOptions): Field {
  const { id, label, hint, type = 'text', ...attrs } = opts;
  const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'field-hint' }, hint) : null;
  const input = h('input', { id, name: id, type, class: 'field-input', ...attrs, 'aria-describedby': hintEl ? `${id}-hint` : undefined });
  const root = h('div', { class: 'field' }, h('label', { for: id, class: 'field-label' }, label), hintEl, input);
  return { root, input, hint: hintEl };
}
