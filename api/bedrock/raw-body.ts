import { finished, Readable } from 'node:stream';
import type { ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

/**
 * Calls `onChunk` with each chunk of `body` until it ends; rejects when it
 * fails, is cut short, or `onChunk` throws (the body is then destroyed).
 * A Node stream is read through 'data' events: one synchronous call per
 * read, where an async iterator costs a promise per read, and with one
 * read per text delta that shows (issue #5).
 */
export function readBody(body: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  if (!(body instanceof Readable)) {
    return (async () => {
      for await (const chunk of body) onChunk(chunk);
    })();
  }
  return new Promise((resolve, reject) => {
    const onData = (chunk: Uint8Array) => {
      try {
        onChunk(chunk);
      } catch (error) {
        body.off('data', onData);
        body.destroy();
        reject(error);
      }
    };
    body.on('data', onData);
    finished(body, (error) => (error ? reject(error) : resolve()));
  });
}

/** The raw body of a successful response, taken by takeEventStreamBody. */
export interface RawEventStream {
  body?: AsyncIterable<Uint8Array>;
  requestId?: string;
}

/**
 * Adds a step to `command` that takes the raw event-stream body of a
 * successful (200) response before the SDK wraps it, for the adapters' own
 * one-pass decoders; the SDK's reader gets an empty body instead. Every
 * other part stays the SDK's: signing, retries before the stream, and the
 * typed errors of a refused request, whose body is left alone.
 * The step runs inside the SDK's deserializer ('deserialize' step, low
 * priority), so it sees the response as the HTTP handler returned it.
 */
export function takeEventStreamBody(command: InvokeModelWithResponseStreamCommand | ConverseStreamCommand): RawEventStream {
  const taken: RawEventStream = {};
  // Both stacks take the same step; the union of their generic types does not type-check as one call.
  (command as InvokeModelWithResponseStreamCommand).middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: unknown };
      if (response.statusCode === 200 && response.body) {
        taken.body = response.body as AsyncIterable<Uint8Array>;
        taken.requestId = response.headers?.['x-amzn-requestid'];
        response.body = Readable.from([]);
      }
      return result;
    },
    { step: 'deserialize', name: 'takeEventStreamBody', priority: 'low' },
  );
  return taken;
}
