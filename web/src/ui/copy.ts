// Copies text to the clipboard; falls back to selecting the field so the person can copy
// it themselves (clipboard access needs a secure context and a user gesture).
export async function copyText(text: string, input: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
