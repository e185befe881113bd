import { CountTokensCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../../bedrock/errors.js';
import type { Services } from '../container.js';
import { costRange } from './cost.js';
import { estimateTextTokens, type CostEstimate } from './estimate.js';
import { prepareDescription } from './prepare.js';
import type { DescribeImageInput, PreparedDescription } from './types.js';

/**
 * The input tokens by the model's own tokenizer: Bedrock's CountTokens, free
 * and exact, given the very body the describe call would send. It takes the
 * base model id, not an inference profile.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
 */
async function countTokens(prepared: PreparedDescription, bedrock: BedrockRuntimeClient, signal?: AbortSignal): Promise<number> {
  const modelId = prepared.entry?.id ?? prepared.model.id;
  try {
    const response = await bedrock.send(
      new CountTokensCommand({ modelId, input: { invokeModel: { body: new TextEncoder().encode(prepared.body) } } }),
      { abortSignal: signal },
    );
    return response.inputTokens ?? 0;
  } catch (error) {
    throw mapBedrockError(error, modelId) ?? error;
  }
}

/** The formula's estimate: the images by the model's published formula, the text at ~4 characters a token. */
function formulaTokens(prepared: PreparedDescription): number {
  return prepared.imageTokens + estimateTextTokens([prepared.system, ...prepared.turns.map((turn) => turn.text)]);
}

/**
 * What a describe request would cost, with no model call: the same prepare
 * step as describeImage (every check, the same errors), then Bedrock's
 * CountTokens where the model supports it, else the formula (not exact).
 * No admission: an estimate holds no concurrency slot.
 */
export async function estimateDescription(input: DescribeImageInput, services: Services, signal?: AbortSignal): Promise<CostEstimate> {
  const prepared = await prepareDescription(input, services);
  const exact = prepared.entry?.countTokens ?? false;
  const inputTokens = exact ? await countTokens(prepared, services.bedrock, signal) : formulaTokens(prepared);
  const cacheableInputTokens = prepared.cacheImages ? prepared.imageTokens : 0;
  const range = costRange(inputTokens, prepared.maxTokens, prepared.entry?.prices, cacheableInputTokens);
  return {
    modelId: prepared.model.id,
    inputTokens,
    exact,
    cacheableInputTokens,
    maxOutputTokens: prepared.maxTokens,
    minCostUsd: range?.minUsd ?? null,
    maxCostUsd: range?.maxUsd ?? null,
  };
}
