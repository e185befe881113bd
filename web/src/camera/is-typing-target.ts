/**
 * True when a key press belongs to the focused control (typing, or Space
 * pressing a button), so page shortcuts such as Space-to-capture stay out of its way.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY', 'LABEL'].includes(target.tagName);
}
