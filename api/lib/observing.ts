/**
 * Passes the iterator's values on unchanged, shows each to `onValue`, and
 * calls `onEnd` once when it ends for any reason (done, returned early, never
 * started). Not an async generator on purpose: a generator's return() waits
 * behind a pending next(), which would delay aborting the upstream call.
 */
export function observing<T>(
  iterable: AsyncIterable<T>,
  onValue: (value: T) => void,
  onEnd: (early: boolean) => void,
): AsyncIterableIterator<T> {
  const inner = iterable[Symbol.asyncIterator]();
  let ended = false;
  const end = (early: boolean) => {
    if (ended) return;
    ended = true;
    onEnd(early);
  };
  return {
    async next() {
      const result = await inner.next();
      if (result.done) end(false);
      else onValue(result.value);
      return result;
    },
    async return(value?: unknown) {
      end(true);
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      end(true);
      if (inner.throw) return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
