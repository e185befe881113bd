import type { BedrockModelClient } from '../../bedrock/model-client.js';
import { withCost } from './cost.js';
import type { Description, DescriptionTotals, PreparedDescription } from './types.js';

/**
 * Tokens of a stream so far, kept up to date while it runs, so a stream the
 * client cancels is still accounted: the input tokens as the stream reported
 * them at its start (Anthropic's message_start), and one output token per
 * text delta received (a lower bound: a delta holds at least one token).
 * Converse reports input tokens only at the end; once its stream has
 * started, the prepared request's estimate stands in until then.
 */
export interface StreamProgress {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/**
 * Reads one description: exactly one billed Bedrock stream, each text delta
 * handed to `onText` the moment it is decoded; resolves with the totals for
 * the final chunk (stop reason, usage and its cost, timings, the whole
 * answer). Aborting `signal` cancels the upstream call; it then resolves with
 * undefined, and `progress` holds what was used until then.
 */
export async function readDescription(
  prepared: PreparedDescription,
  models: BedrockModelClient,
  signal: AbortSignal,
  onText: (text: string) => void,
  progress: StreamProgress = { inputTokens: 0, outputTokens: 0 },
): Promise<DescriptionTotals | undefined> {
  const started = performance.now();
  let firstTokenMs: number | null = null;
  let text = '';
  try {
    const result = await models.stream(
      prepared.request,
      prepared.family,
      signal,
      (delta) => {
        firstTokenMs ??= Math.round(performance.now() - started);
        progress.outputTokens++;
        text += delta;
        onText(delta);
      },
      (usage) => {
        if (usage.inputTokens > 0) Object.assign(progress, { ...usage, outputTokens: progress.outputTokens });
        else progress.inputTokens ||= prepared.inputTokensEstimate;
      },
    );
    const description: Description = {
      id: prepared.id,
      text,
      modelId: prepared.model.id,
      stopReason: result.stopReason,
      usage: withCost(result.usage, prepared.entry.prices),
      latencyMs: Math.round(performance.now() - started),
      images: prepared.images,
      answerPrefix: prepared.answerPrefix,
    };
    // The final chunk's own text is empty (every delta went out already); the
    // whole answer rides along for clients that show only the last payload.
    return { ...description, text: '', done: true, firstTokenMs, description };
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  }
}

/** One whole description, not streamed. */
export async function invokeDescription(prepared: PreparedDescription, models: BedrockModelClient, signal: AbortSignal): Promise<Description> {
  const started = performance.now();
  const { text, stopReason, usage } = await models.invoke(prepared.request, prepared.family, signal);
  return {
    id: prepared.id,
    modelId: prepared.model.id,
    text,
    stopReason,
    usage: withCost(usage, prepared.entry.prices),
    latencyMs: Math.round(performance.now() - started),
    images: prepared.images,
    answerPrefix: prepared.answerPrefix,
  };
}
