import type { BedrockModelClient } from '../../bedrock/model-client.js';
import type { Description, DescriptionTotals, PreparedDescription } from './types.js';

/**
 * Reads one description: exactly one billed Bedrock stream, each text delta
 * handed to `onText` the moment it is decoded; resolves with the totals for
 * the final chunk (stop reason, usage, timings). Aborting `signal` cancels the
 * upstream call; it then resolves with undefined.
 */
export async function readDescription(
  prepared: PreparedDescription,
  models: BedrockModelClient,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<DescriptionTotals | undefined> {
  const started = performance.now();
  let firstTokenMs: number | null = null;
  try {
    const result = await models.stream(prepared.request, prepared.family, signal, (text) => {
      firstTokenMs ??= Math.round(performance.now() - started);
      onText(text);
    });
    return {
      id: prepared.id,
      text: '',
      done: true,
      stopReason: result.stopReason,
      usage: result.usage,
      modelId: prepared.model.id,
      latencyMs: Math.round(performance.now() - started),
      firstTokenMs,
      images: prepared.images,
    };
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
    usage,
    latencyMs: Math.round(performance.now() - started),
    images: prepared.images,
  };
}
