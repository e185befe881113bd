import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import { isTypingTarget } from '../camera/is-typing-target';

/** Keys that scroll the page by hand. Space is left out: it is the capture shortcut. */
const SCROLL_KEYS = new Set(['PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'Home', 'End']);
/** Room left under the last line, so it does not sit on the screen's edge. */
const MARGIN_PX = 16;

/**
 * Keeps the growing end of a streamed description on screen: each time the
 * text grows past the bottom of the window, the page scrolls just enough to
 * show it again (on a phone the description sits below the camera and the
 * prompt). Scrolling by hand (wheel, touch, keys) stops this until the next run.
 */
export function useFollowOutput(output: RefObject<HTMLElement | null>, runId: string | undefined, text: string, streaming: boolean): void {
  const following = useRef(false);

  useEffect(() => {
    following.current = runId !== undefined;
  }, [runId]);

  useEffect(() => {
    if (!streaming) return;
    const stop = () => {
      following.current = false;
    };
    const onKey = (event: KeyboardEvent) => {
      if (SCROLL_KEYS.has(event.key) && !isTypingTarget(event.target)) stop();
    };
    window.addEventListener('wheel', stop, { passive: true });
    window.addEventListener('touchmove', stop, { passive: true });
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('wheel', stop);
      window.removeEventListener('touchmove', stop);
      window.removeEventListener('keydown', onKey);
    };
  }, [streaming]);

  // A layout effect: the scroll lands in the same frame as the new text, so nothing jumps.
  useLayoutEffect(() => {
    const element = output.current;
    if (!streaming || !following.current || !element || text === '') return;
    const overflow = element.getBoundingClientRect().bottom - (window.innerHeight - MARGIN_PX);
    if (overflow > 0) window.scrollBy({ top: overflow, behavior: 'instant' });
  }, [output, text, streaming]);
}
