import { estimateDescription } from '../services/describe/estimate-request.js';
import type { CostEstimate as CostEstimateShape } from '../services/describe/estimate.js';
import { builder } from './builder.js';
import { DescribeImageInput } from './image-description.js';

const CostEstimate = builder.objectRef<CostEstimateShape>('CostEstimate').implement({
  description: 'What a describeImage request would cost, worked out before any model call.',
  fields: (t) => ({
    modelId: t.exposeString('modelId'),
    inputTokens: t.exposeInt('inputTokens', { description: 'Input tokens of the whole request: images, system prompt and every turn.' }),
    exact: t.exposeBoolean('exact', {
      description: "True when counted by the model's tokenizer (Bedrock CountTokens); false for an estimate from the image formula and ~4 characters a token.",
    }),
    cacheableInputTokens: t.exposeInt('cacheableInputTokens', {
      description: 'Of the input, the image tokens before a prompt-cache point: read from the cache when the same images were asked about recently.',
    }),
    maxOutputTokens: t.exposeInt('maxOutputTokens', { description: 'The most output tokens the request allows (its maxTokens).' }),
    minCostUsd: t.exposeFloat('minCostUsd', {
      nullable: true,
      description: 'Cheapest outcome: no output, cached images read from the cache. Null where the prices are unknown.',
    }),
    maxCostUsd: t.exposeFloat('maxCostUsd', {
      nullable: true,
      description: 'Dearest outcome: every output token allowed, images written to the cache. Null where the prices are unknown.',
    }),
  }),
});

builder.queryField('estimateDescription', (t) =>
  t.field({
    type: CostEstimate,
    description:
      'Runs every check describeImage runs (same errors) and prices the request, without calling the model. ' +
      'Input tokens are exact where the model supports Bedrock CountTokens.',
    args: { input: t.arg({ type: DescribeImageInput, required: true }) },
    resolve: (_root, { input }, { services, caller, signal }) => estimateDescription(input, services, caller, signal),
  }),
);
