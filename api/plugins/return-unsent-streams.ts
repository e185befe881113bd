import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Ends a subscription's stream that no response will carry. Yoga answers 406
 * when the request accepts no streaming media type (`Accept:
 * application/json`, say), after the subscription was already started, and
 * drops the stream without returning it: the describe request kept its
 * admission slot (and the key's) for good. Returning the stream runs its
 * cleanup as a client leaving would. Must come after yoga's result processors.
 */
export function useReturnUnsentStreams(): Plugin {
  return {
    onResultProcess({ result, resultProcessor }) {
      if (resultProcessor || !isAsyncIterable(result)) return;
      void Promise.resolve(result[Symbol.asyncIterator]().return?.()).catch(() => {});
    },
  };
}
