import { describeOnce, openDescriptionStream } from '../services/describe/requests.js';
import type { Description, DescriptionChunk, DescriptionEvent, SentImage, TokenUsage as TokenUsageShape } from '../services/describe/types.js';
import { builder } from './builder.js';

const ImageInput = builder.inputType('ImageInput', {
  description: 'One image: exactly one of base64 or uploadId.',
  isOneOf: true,
  fields: (t) => ({
    base64: t.string({ description: 'The image bytes as raw base64, or a data:image/...;base64,... URL.' }),
    uploadId: t.id({ description: 'The id returned by uploadImage.' }),
  }),
});

const ConversationRole = builder.enumType('ConversationRole', {
  description: 'Who spoke a turn of a conversation.',
  values: ['USER', 'ASSISTANT'] as const,
});

const ConversationTurnInput = builder.inputType('ConversationTurnInput', {
  description: 'One earlier turn of a conversation about the images.',
  fields: (t) => ({
    role: t.field({ type: ConversationRole, required: true }),
    text: t.string({ required: true }),
  }),
});

export const DescribeImageInput = builder.inputType('DescribeImageInput', {
  fields: (t) => ({
    images: t.field({ type: [ImageInput], required: true, description: '1 to 20 images, in the order the model sees them.' }),
    prompt: t.string({ description: 'What to ask about the images. Default: a detailed description.' }),
    system: t.string({ description: 'An optional system prompt.' }),
    modelId: t.string({ description: 'One of Query.models; default: the flagged default model.' }),
    maxTokens: t.int({ description: 'Most tokens to generate. Default 1024, at most the model\'s maxOutputTokens.' }),
    temperature: t.float({ description: '0 to 1.' }),
    topP: t.float({ description: '0 to 1.' }),
    topK: t.int({ description: '0 to 500.' }),
    stopSequences: t.stringList({ description: 'Up to 8 strings that end generation.' }),
    history: t.field({
      type: [ConversationTurnInput],
      description:
        'Earlier turns of this conversation, oldest first. The images belong to the first user turn. ' +
        'Starts with USER, alternates and ends with ASSISTANT (the prompt is the next USER turn); at most MAX_HISTORY_TURNS turns.',
    }),
    answerPrefix: t.string({
      description: 'Text the answer must start with; the streamed text continues from it (trailing whitespace is dropped).',
    }),
  }),
});

const TokenUsage = builder.objectRef<TokenUsageShape>('TokenUsage').implement({
  description: 'Tokens billed for one description, as Bedrock counted them.',
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens', { description: 'Input tokens billed at the plain input rate (cached tokens are counted apart).' }),
    outputTokens: t.exposeInt('outputTokens'),
    cacheReadInputTokens: t.int({
      description: 'Input tokens read from the prompt cache (billed at the cache-read rate).',
      resolve: (usage) => usage.cacheReadInputTokens ?? 0,
    }),
    cacheWriteInputTokens: t.int({
      description: 'Input tokens written to the prompt cache (billed at the cache-write rate).',
      resolve: (usage) => usage.cacheWriteInputTokens ?? 0,
    }),
    costUsd: t.float({
      nullable: true,
      description: "What this answer cost in USD at the model's catalogue prices; null where the prices are unknown.",
      resolve: (usage) => usage.costUsd ?? null,
    }),
  }),
});

const SentImageRef = builder.objectRef<SentImage>('SentImage').implement({
  description: 'An image as it was sent to the model, after normalisation.',
  fields: (t) => ({
    mediaType: t.exposeString('mediaType'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    byteSize: t.exposeInt('byteSize'),
    originalWidth: t.exposeInt('originalWidth'),
    originalHeight: t.exposeInt('originalHeight'),
    originalByteSize: t.exposeInt('originalByteSize'),
    reencoded: t.exposeBoolean('reencoded', { description: 'True when resized, rotated or converted before sending.' }),
  }),
});

const DescriptionRef = builder.objectRef<Description>('Description').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    text: t.exposeString('text', { description: 'What the model wrote (after answerPrefix, which it does not repeat).' }),
    modelId: t.exposeString('modelId'),
    stopReason: t.exposeString('stopReason'),
    usage: t.expose('usage', { type: TokenUsage }),
    latencyMs: t.exposeInt('latencyMs'),
    images: t.expose('images', { type: [SentImageRef] }),
    answerPrefix: t.exposeString('answerPrefix', { nullable: true, description: 'The prefix this answer continued, as sent.' }),
  }),
});

const DescriptionChunkRef = builder.objectRef<DescriptionChunk>('DescriptionChunk').implement({
  description: 'One text delta from the model; the last chunk has done: true and the totals.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The same for every chunk of one description.' }),
    index: t.exposeInt('index'),
    text: t.exposeString('text'),
    done: t.exposeBoolean('done'),
    stopReason: t.exposeString('stopReason', { nullable: true }),
    usage: t.expose('usage', { type: TokenUsage, nullable: true }),
    modelId: t.exposeString('modelId', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true, description: 'From the upstream call to its end.' }),
    firstTokenMs: t.exposeInt('firstTokenMs', { nullable: true, description: 'From the upstream call to the first text.' }),
    images: t.expose('images', { type: [SentImageRef], nullable: true }),
    answerPrefix: t.exposeString('answerPrefix', {
      nullable: true,
      description: 'On the last chunk: the prefix this answer continued (the chunks do not repeat it).',
    }),
    description: t.expose('description', {
      type: DescriptionRef,
      nullable: true,
      description: 'On the last chunk (done: true): the whole answer, for clients that show only the latest payload.',
    }),
  }),
});

builder.subscriptionField('describeImage', (t) =>
  t.field({
    type: DescriptionChunkRef,
    description: 'Streams a description of the images, one chunk per model text delta.',
    args: { input: t.arg({ type: DescribeImageInput, required: true }) },
    subscribe: (_root, { input }, { services, caller, signal }) => openDescriptionStream(input, services, caller, signal),
    resolve: (event: DescriptionEvent) => {
      if ('error' in event) throw event.error;
      return event;
    },
  }),
);

builder.mutationField('describeImage', (t) =>
  t.field({
    type: DescriptionRef,
    description: 'Describes the images and returns the whole answer at once.',
    args: { input: t.arg({ type: DescribeImageInput, required: true }) },
    resolve: (_root, { input }, { services, caller, signal }) => describeOnce(input, services, caller, signal),
  }),
);
