import {
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../../bedrock/errors.js';
import { idleTimeout } from '../../bedrock/idle-timeout.js';
import { AnthropicStreamDecoder, decodeAnthropicMessage, readBody, takeEventStreamBody } from '../../bedrock/response-stream.js';
import { ErrorCode, gatewayError } from '../../errors.js';
import { withCost } from './cost.js';
import type { Description, DescriptionTotals, PreparedDescription } from './types.js';

/**
 * Tokens of a stream so far, kept up to date while it runs, so a stream the
 * client cancels is still accounted: the input tokens from the stream's start
 * event and one output token per text delta received (a lower bound: a delta
 * holds at least one token).
 */
export interface StreamProgress {
  inputTokens: number;
  outputTokens: number;
}

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
  progress: StreamProgress = { inputTokens: 0, outputTokens: 0 },
): Promise<DescriptionTotals | undefined> {
  const upstream = idleTimeout(signal, idleTimeoutMs);
  const started = performance.now();
  let firstTokenMs: number | null = null;
  let text = '';
  const decoder = new AnthropicStreamDecoder((delta) => {
    firstTokenMs ??= Math.round(performance.now() - started);
    progress.outputTokens++;
    text += delta;
    onText(delta);
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
      progress.inputTokens = decoder.usage.inputTokens;
    });
    decoder.end();
    const description: Description = {
      id: prepared.id,
      text,
      modelId: prepared.model.id,
      stopReason: decoder.stopReason,
      usage: withCost(decoder.usage, prepared.entry?.prices),
      latencyMs: Math.round(performance.now() - started),
      images: prepared.images,
      answerPrefix: prepared.answerPrefix,
    };
    // The final chunk's own text is empty (every delta went out already); the
    // whole answer rides along for clients that show only the last payload.
    return { ...description, text: '', done: true, firstTokenMs, description };
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
      usage: withCost(message.usage, prepared.entry?.prices),
      latencyMs: Math.round(performance.now() - started),
      images: prepared.images,
      answerPrefix: prepared.answerPrefix,
    };
  } catch (error) {
    if (signal.aborted) throw gatewayError(ErrorCode.CANCELLED, 'The request was cancelled before Bedrock answered.');
    throw upstreamFailure(error, prepared, upstream.timedOut);
  } finally {
    upstream.dispose();
  }
}

