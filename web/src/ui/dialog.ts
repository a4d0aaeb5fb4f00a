// A confirm dialog on the native <dialog> (modal, focus trapped, Escape cancels): a
// heading, a sentence and two buttons. Resolves true when the person confirms.
import { h } from '../dom';

let counter = 0;

export function confirmDialog(title: string, text: string, confirmLabel: string, cancelLabel: string): Promise<boolean> {
  counter += 1;
  const titleId = `dialog-title-${counter}`;
  const textId = `dialog-text-${counter}`;
  const confirm = h('button', { type: 'button', class: 'btn danger' }, confirmLabel);
  const cancel = h('button', { type: 'button', class: 'btn secondary' }, cancelLabel);
  const dialog = h(
    'dialog',
    { class: 'confirm-dialog', 'aria-labelledby': titleId, 'aria-describedby': textId },
    h('h2', { id: titleId }, title),
    h('p', { id: textId }, text),
    h('div', { class: 'button-row' }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      if (dialog.open) {
        dialog.close();
      }
      dialog.remove();
      resolve(ok);
    };
    confirm.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      finish(false);
    });
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}
