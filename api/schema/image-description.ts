import { describeOnce, openDescriptionStream } from '../services/describe/requests.js';
import type { DescriptionChunk, DescriptionEvent, SentImage } from '../services/describe/types.js';
import type { TokenUsage as TokenUsageShape } from '../bedrock/model-request.js';
import { builder } from './builder.js';

const ImageInput = builder.inputType('ImageInput', {
  description: 'One image: exactly one of base64 or uploadId.',
  isOneOf: true,
  fields: (t) => ({
    base64: t.string({ description: 'The image bytes as raw base64, or a data:image/...;base64,... URL.' }),
    uploadId: t.id({ description: 'The id returned by uploadImage.' }),
  }),
});

const DescribeImageInput = builder.inputType('DescribeImageInput', {
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
  }),
});

const TokenUsage = builder.objectRef<TokenUsageShape>('TokenUsage').implement({
  description: 'Tokens billed for one description, as Bedrock counted them.',
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
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
  }),
});

const DescriptionRef = builder.objectRef<{
  id: string;
  text: string;
  modelId: string;
  stopReason: string;
  usage: TokenUsageShape;
  latencyMs: number;
  images: SentImage[];
}>('Description').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    text: t.exposeString('text'),
    modelId: t.exposeString('modelId'),
    stopReason: t.exposeString('stopReason'),
    usage: t.expose('usage', { type: TokenUsage }),
    latencyMs: t.exposeInt('latencyMs'),
    images: t.expose('images', { type: [SentImageRef] }),
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
