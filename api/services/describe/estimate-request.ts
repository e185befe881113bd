import { CountTokensCommand, type CountTokensInput } from '@aws-sdk/client-bedrock-runtime';
import { buildMessagesBody } from '../../bedrock/adapters/anthropic-messages.js';
import { buildConverseInput } from '../../bedrock/adapters/converse.js';
import type { Caller } from '../../auth.js';
import { tokenCount } from '../../bedrock/model-request.js';
import type { Services } from '../container.js';
import { admitRequest } from '../request-scope.js';
import { costRange } from './cost.js';
import type { CostEstimate } from './estimate.js';
import { prepareDescription } from './prepare.js';
import type { DescribeImageInput, PreparedDescription } from './types.js';

/** The CountTokens input for the very request the describe call would send, in its API family's shape. */
function countTokensInput(prepared: PreparedDescription): CountTokensInput {
  if (prepared.family === 'converse') {
    // All of the Converse input that CountTokens takes: inferenceConfig is the only part left out.
    const { messages, system, additionalModelRequestFields } = buildConverseInput(prepared.request);
    return { converse: { messages, system, additionalModelRequestFields } };
  }
  return { invokeModel: { body: new TextEncoder().encode(buildMessagesBody(prepared.request)) } };
}

/**
 * The input tokens by the model's own tokenizer: Bedrock's CountTokens, free
 * and exact. It takes the base model id, not an inference profile.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
 * Undefined when Bedrock would not count (no bedrock:CountTokens permission,
 * not offered in the region): the estimate then falls back to the formula
 * rather than failing a question that would itself go through.
 */
async function countTokens(prepared: PreparedDescription, services: Services, signal?: AbortSignal): Promise<number | undefined> {
  try {
    const response = await services.bedrock.send(
      new CountTokensCommand({ modelId: prepared.entry.id, input: countTokensInput(prepared) }),
      { abortSignal: signal },
    );
    // A count that is no count falls back to the formula, like a refusal.
    return tokenCount(response.inputTokens);
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
}

/**
 * What a describe request would cost, with no model call: the same prepare
 * step as describeImage (every check, the same errors), then Bedrock's
 * CountTokens where the model supports it, else the formula (not exact).
 * An estimate is free upstream but decodes images, so it holds one of the
 * caller's concurrency slots while it runs (a key cannot fill the shared
 * decode queue with estimates), and takes nothing from the caller's rate.
 */
export async function estimateDescription(
  input: DescribeImageInput,
  services: Services,
  caller: Caller,
  signal: AbortSignal,
): Promise<CostEstimate> {
  const scope = await admitRequest(services.admission, caller, signal, { countRate: false });
  try {
    return await scope.race(estimatePrepared(input, services, caller, scope.signal));
  } finally {
    scope.release();
  }
}

async function estimatePrepared(input: DescribeImageInput, services: Services, caller: Caller, signal: AbortSignal): Promise<CostEstimate> {
  // The caller's own uploads only, as for describeImage.
  const prepared = await prepareDescription(input, services, caller.id, signal);
  const counted = prepared.entry.countTokens ? await countTokens(prepared, services, signal) : undefined;
  const inputTokens = counted ?? prepared.inputTokensEstimate;
  const { maxTokens, cacheImages } = prepared.request;
  // The images' share comes from the formula, the total may be Bedrock's exact count: never more than the total.
  const cacheableInputTokens = cacheImages ? Math.min(prepared.imageTokens, inputTokens) : 0;
  const range = costRange(inputTokens, maxTokens, prepared.entry.prices, cacheableInputTokens);
  return {
    modelId: prepared.model.id,
    inputTokens,
    exact: counted !== undefined,
    cacheableInputTokens,
    maxOutputTokens: maxTokens,
    minCostUsd: range?.minUsd ?? null,
    maxCostUsd: range?.maxUsd ?? null,
  };
}
