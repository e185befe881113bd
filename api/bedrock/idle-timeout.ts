/**
 * An AbortSignal that fires when `parent` does, or when nothing has happened
 * for `ms` (a hung upstream that accepted the request and went quiet).
 * `touch()` marks activity; it refreshes one timer rather than making a new one per delta.
 */
export function idleTimeout(parent: AbortSignal, ms: number) {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  const timer =
    ms > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`no answer from Bedrock for ${ms} ms`));
        }, ms)
      : undefined;
  return {
    signal: controller.signal,
    touch: () => void timer?.refresh(),
    get timedOut() {
      return timedOut;
    },
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
