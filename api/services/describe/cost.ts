import type { Prices } from '../../bedrock/catalogue/types.js';
import type { TokenUsage } from '../../bedrock/model-request.js';

const PER_TOKEN = 1 / 1_000_000;

/** Rounds to a millionth of a cent: enough for one token of any model, free of float noise. */
function usd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}

/**
 * What one call cost in USD, from the model's prices per million tokens:
 * input, output, and cache reads and writes at their own rates. Bedrock's
 * `inputTokens` excludes the cached tokens (they are reported apart), so the
 * three input counts add up. A cache rate the catalogue does not list is
 * taken at the input rate: Bedrock charges writes above the input rate only
 * for models that list a write price (Nova lists none), and for a read that
 * is an upper bound. Null when the prices are unknown (NaN, a model outside
 * the catalogue).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
export function priceUsage(usage: TokenUsage, prices: Prices | null | undefined): number | null {
  if (!prices || !Number.isFinite(prices.input) || !Number.isFinite(prices.output)) return null;
  return usd(
    (usage.inputTokens * prices.input +
      usage.outputTokens * prices.output +
      (usage.cacheReadInputTokens ?? 0) * (prices.cacheRead ?? prices.input) +
      (usage.cacheWriteInputTokens ?? 0) * (prices.cacheWrite ?? prices.input)) *
      PER_TOKEN,
  );
}

/** The cost of a request before it is made: from no output at all to every output token allowed. */
export interface CostRange {
  minUsd: number;
  maxUsd: number;
}

/**
 * Prices a request of `inputTokens` that may write up to `maxOutputTokens`.
 * Of the input, `cachedTokens` sit before a cache point: at best they are read
 * from the cache and nothing is written out; at worst they are written to it
 * and every output token allowed is used.
 */
export function costRange(
  inputTokens: number,
  maxOutputTokens: number,
  prices: Prices | null | undefined,
  cachedTokens = 0,
): CostRange | null {
  if (!prices) return null;
  const cached = Math.min(cachedTokens, inputTokens);
  const plain = inputTokens - cached;
  const best = priceUsage({ inputTokens: plain, outputTokens: 0, cacheReadInputTokens: cached }, prices);
  const worst = priceUsage({ inputTokens: plain, outputTokens: maxOutputTokens, cacheWriteInputTokens: cached }, prices);
  if (best === null || worst === null) return null;
  return { minUsd: best, maxUsd: worst };
}

/** The usage with its price attached, for the final chunk, the Description and the log. */
export function withCost(usage: TokenUsage, prices: Prices | null | undefined): TokenUsage & { costUsd: number | null } {
  return { ...usage, costUsd: priceUsage(usage, prices) };
}
