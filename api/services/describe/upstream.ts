import {
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../../bedrock/errors.js';
import { idleTimeout } from '../../bedrock/idle-timeout.js';
import { AnthropicStreamDecoder, decodeAnthropicMessage, readBody, takeEventStreamBody } from '../../bedrock/response-stream.js';
import { ErrorCode, gatewayError } from '../../errors.js';
import type { Description, DescriptionTotals, PreparedDescription } from './types.js';

function upstreamFailure(error: unknown, prepared: PreparedDescription, timedOut: boolean): unknown {
  if (timedOut) {
    return gatewayError(
      ErrorCode.UPSTREAM_TIMEOUT,
      `Bedrock sent nothing for too long while running ${prepared.model.id}; the call was aborted. Try again.`,
    );
  }
  return mapBedrockError(error, prepared.model.id) ?? error;
}

/**
 * Reads one description: exactly one billed Bedrock stream, each text delta
 * handed to `onText` the moment it is decoded; resolves with the totals for
 * the final chunk (stop reason, usage, timings). Aborting `signal` cancels the
 * upstream call; it then resolves with undefined.
 */
export async function readDescription(
  prepared: PreparedDescription,
  bedrock: BedrockRuntimeClient,
  signal: AbortSignal,
  onText: (text: string) => void,
  idleTimeoutMs = 0,
): Promise<DescriptionTotals | undefined> {
  const upstream = idleTimeout(signal, idleTimeoutMs);
  const started = performance.now();
  let firstTokenMs: number | null = null;
  const decoder = new AnthropicStreamDecoder((text) => {
    firstTokenMs ??= Math.round(performance.now() - started);
    onText(text);
  });
  try {
    const command = new InvokeModelWithResponseStreamCommand({
      modelId: prepared.model.id,
      contentType: 'application/json',
      accept: 'application/json',
      body: prepared.body,
    });
    const raw = takeEventStreamBody(command);
    await bedrock.send(command, { abortSignal: upstream.signal });
    if (!raw.body) throw gatewayError(ErrorCode.UPSTREAM_ERROR, 'Bedrock returned no response stream.');
    decoder.requestId = raw.requestId;
    await readBody(raw.body, (bytes) => {
      upstream.touch();
      decoder.write(bytes);
    });
    decoder.end();
    return {
      id: prepared.id,
      text: '',
      done: true,
      stopReason: decoder.stopReason,
      usage: decoder.usage,
      modelId: prepared.model.id,
      latencyMs: Math.round(performance.now() - started),
      firstTokenMs,
      images: prepared.images,
    };
  } catch (error) {
    if (signal.aborted) return undefined;
    throw upstreamFailure(error, prepared, upstream.timedOut);
  } finally {
    upstream.dispose();
  }
}

/** One whole description through InvokeModel (not streamed). */
export async function invokeDescription(
  prepared: PreparedDescription,
  bedrock: BedrockRuntimeClient,
  signal: AbortSignal,
  idleTimeoutMs = 0,
): Promise<Description> {
  const upstream = idleTimeout(signal, idleTimeoutMs);
  const started = performance.now();
  try {
    const response = await bedrock.send(
      new InvokeModelCommand({
        modelId: prepared.model.id,
        contentType: 'application/json',
        accept: 'application/json',
        body: prepared.body,
      }),
      { abortSignal: upstream.signal },
    );
    const message = decodeAnthropicMessage(response.body);
    return {
      id: prepared.id,
      modelId: prepared.model.id,
      ...message,
      latencyMs: Math.round(performance.now() - started),
      images: prepared.images,
    };
  } catch (error) {
    if (signal.aborted) throw gatewayError(ErrorCode.CANCELLED, 'The request was cancelled before Bedrock answered.');
    throw upstreamFailure(error, prepared, upstream.timedOut);
  } finally {
    upstream.dispose();
  }
}

