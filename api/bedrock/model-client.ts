import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import type { GraphQLError } from 'graphql';
import { ErrorCode, gatewayError, truncateForMessage } from '../errors.js';
import { AnthropicStreamDecoder, buildMessagesBody, decodeAnthropicMessage } from './adapters/anthropic-messages.js';
import { buildConverseInput, ConverseStreamDecoder, decodeConverseOutput } from './adapters/converse.js';
import type { StreamDecoder, StreamResult } from './adapters/stream-decoder.js';
import type { ApiFamily } from './catalogue/types.js';
import { mapBedrockError, upstreamDetailOf, type UpstreamDetail } from './errors.js';
import { idleTimeout } from './idle-timeout.js';
import type { ModelRequest, TokenUsage } from './model-request.js';
import { readBody, takeEventStreamBody } from './raw-body.js';

export type { StreamResult } from './adapters/stream-decoder.js';

/** A whole answer from invoke(). */
export interface InvokeResult extends StreamResult {
  text: string;
}

export interface BedrockModelClientOptions {
  /** Abort a call when Bedrock sends nothing for this long, in ms; 0 turns it off. @default 0 */
  idleTimeoutMs?: number;
  /** Where Bedrock's own error text goes (it can hold account ids and ARNs, so never to a client). @default nowhere */
  logUpstreamError?: (detail: UpstreamDetail & { modelId: string }) => void;
}

/**
 * The one way the gateway calls a model on Bedrock. It owns the commands, the
 * raw-body capture, the idle timeout and the error mapping; the adapter of
 * each API family (adapters/) turns the provider-neutral request into a body
 * and the upstream events into text, usage and a stop reason.
 * Every call is one billed upstream call (the client's retry strategy sends
 * again only what Bedrock refused). Errors are GraphQL errors with a code
 * from ErrorCode; an aborted `signal` rejects with CANCELLED.
 */
export interface BedrockModelClient {
  /**
   * Streams one answer: each text delta goes to `onText` as soon as it is
   * decoded; `onUsage` sees the usage as the stream reports it so far (the
   * input tokens of Anthropic's message_start), so a cancelled call can be
   * accounted.
   */
  stream(
    request: ModelRequest,
    family: ApiFamily,
    signal: AbortSignal,
    onText: (text: string) => void,
    onUsage?: (usage: TokenUsage) => void,
  ): Promise<StreamResult>;
  /** One whole answer, not streamed. */
  invoke(request: ModelRequest, family: ApiFamily, signal: AbortSignal): Promise<InvokeResult>;
}

function streamDecoder(family: ApiFamily, onText: (text: string) => void): StreamDecoder {
  return family === 'converse' ? new ConverseStreamDecoder(onText) : new AnthropicStreamDecoder(onText);
}

function streamCommand(request: ModelRequest, family: ApiFamily) {
  if (family === 'converse') return new ConverseStreamCommand(buildConverseInput(request));
  return new InvokeModelWithResponseStreamCommand({
    modelId: request.modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: buildMessagesBody(request),
  });
}

/**
 * The size of the body `request` makes in `family`'s shape, to check against
 * Bedrock's payload limit before anything is sent. Throws the adapter's
 * BAD_USER_INPUT for a request the family cannot carry.
 */
export function requestBodyBytes(request: ModelRequest, family: ApiFamily): number {
  if (family !== 'converse') return Buffer.byteLength(buildMessagesBody(request));
  const { modelId: _inPath, ...body } = buildConverseInput(request);
  // Blobs travel as base64 in the JSON body, as the SDK serialises them.
  return Buffer.byteLength(JSON.stringify(body, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value)));
}

export function createBedrockClient(sdk: BedrockRuntimeClient, options: BedrockModelClientOptions = {}): BedrockModelClient {
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;

  /** The gateway's error for a failed call; Bedrock's own words go to the log only. */
  function failure(error: unknown, request: ModelRequest, signal: AbortSignal, timedOut: boolean): unknown {
    if (signal.aborted) return gatewayError(ErrorCode.CANCELLED, 'The request was cancelled before Bedrock finished answering.');
    if (timedOut) {
      return gatewayError(
        ErrorCode.UPSTREAM_TIMEOUT,
        `Bedrock sent nothing for too long while running ${truncateForMessage(request.modelId)}; the call was aborted. Try again.`,
      );
    }
    if ((error as GraphQLError | undefined)?.extensions?.code) return error;
    const mapped = mapBedrockError(error, request.modelId);
    const detail = upstreamDetailOf(mapped);
    if (detail) options.logUpstreamError?.({ ...detail, modelId: truncateForMessage(request.modelId) });
    return mapped ?? error;
  }

  return {
    async stream(request, family, signal, onText, onUsage) {
      // Built before the timer: a request the adapter refuses never goes out.
      const command = streamCommand(request, family);
      const upstream = idleTimeout(signal, idleTimeoutMs);
      const decoder = streamDecoder(family, onText);
      try {
        const raw = takeEventStreamBody(command);
        // send() has one overload per command type, not one for their union.
        await sdk.send(command as InvokeModelWithResponseStreamCommand, { abortSignal: upstream.signal });
        if (!raw.body) throw gatewayError(ErrorCode.UPSTREAM_ERROR, 'Bedrock returned no response stream.');
        decoder.requestId = raw.requestId;
        await readBody(raw.body, (bytes) => {
          upstream.touch();
          decoder.write(bytes);
          onUsage?.(decoder.usage);
        });
        decoder.end();
        return {
          stopReason: decoder.stopReason,
          usage: decoder.usage,
          requestId: raw.requestId,
          ...(decoder.upstreamLatencyMs !== undefined && { upstreamLatencyMs: decoder.upstreamLatencyMs }),
        };
      } catch (error) {
        throw failure(error, request, signal, upstream.timedOut);
      } finally {
        upstream.dispose();
      }
    },

    async invoke(request, family, signal) {
      const input = family === 'converse' ? buildConverseInput(request) : buildMessagesBody(request);
      const upstream = idleTimeout(signal, idleTimeoutMs);
      try {
        if (typeof input !== 'string') {
          const output = await sdk.send(new ConverseCommand(input), { abortSignal: upstream.signal });
          return { ...decodeConverseOutput(output), requestId: output.$metadata.requestId };
        }
        const output = await sdk.send(
          new InvokeModelCommand({ modelId: request.modelId, contentType: 'application/json', accept: 'application/json', body: input }),
          { abortSignal: upstream.signal },
        );
        return { ...decodeAnthropicMessage(output.body), requestId: output.$metadata.requestId };
      } catch (error) {
        throw failure(error, request, signal, upstream.timedOut);
      } finally {
        upstream.dispose();
      }
    },
  };
}
