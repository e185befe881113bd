import type { ImageTokenFormula, PromptCaching } from '../../bedrock/catalogue/types.js';

/** Input tokens of the images as sent, by the model's published formula. */
export function estimateImageTokens(images: readonly { width: number; height: number }[], formula: ImageTokenFormula): number {
  return images.reduce(
    (sum, image) =>
      sum + (formula.kind === 'pixels' ? Math.ceil((image.width * image.height) / formula.pixelsPerToken) : formula.tokensPerImage),
    0,
  );
}

/** Text tokens at about four characters a token: the usual rule of thumb for English, not a tokenizer. */
export function estimateTextTokens(texts: readonly (string | undefined)[]): number {
  return Math.ceil(texts.reduce((sum, text) => sum + (text?.length ?? 0), 0) / 4);
}

/**
 * Whether to put a cache point after the images: only for a model that caches
 * on Bedrock, and only when the images reach its minimum cacheable prefix
 * (below it the cache point is ignored, or refused, and a write would be
 * paid for nothing).
 */
export function shouldCacheImages(promptCaching: PromptCaching | null | undefined, imageTokens: number): boolean {
  return !!promptCaching && imageTokens >= promptCaching.minTokens;
}

/** What a describe request would cost, known before it is made. */
export interface CostEstimate {
  modelId: string;
  /** Input tokens of the whole request: images, system, every turn. */
  inputTokens: number;
  /** True when counted by the model's own tokenizer (Bedrock CountTokens); false for the formula estimate. */
  exact: boolean;
  /** Of the input, the image tokens before a cache point (read from the cache on a follow-up). */
  cacheableInputTokens: number;
  /** The most output tokens the request allows (its maxTokens). */
  maxOutputTokens: number;
  /** From no output (and cached images read) to every output token (and the images written to the cache); null without prices. */
  minCostUsd: number | null;
  maxCostUsd: number | null;
}
