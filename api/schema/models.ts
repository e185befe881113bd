import { modelWarnings } from '../bedrock/catalogue/checks.js';
import { conservativeEntry, resolveModel } from '../bedrock/catalogue/index.js';
import type { CatalogueEntry, NumberRange } from '../bedrock/catalogue/types.js';
import { visionModelInfo, type VisionModelInfo } from '../bedrock/models.js';
import type { GatewayContext } from '../context.js';
import { builder } from './builder.js';

type Availability = 'available' | 'unavailable' | 'unknown';

interface VisionModelView extends VisionModelInfo {
  isDefault: boolean;
  isAllowed: boolean;
  entry: CatalogueEntry;
  profile?: string;
  availability: Availability;
  warnings: string[];
}

const ApiFamily = builder.enumType('ApiFamily', {
  description: 'How a model is called on Bedrock.',
  values: {
    ANTHROPIC_MESSAGES: { value: 'anthropic-messages', description: "Anthropic's Messages body through InvokeModel." },
    CONVERSE: { value: 'converse', description: "Bedrock's provider-neutral Converse API." },
  } as const,
});

const LifecycleStatus = builder.enumType('LifecycleStatus', {
  values: {
    ACTIVE: { value: 'active' },
    LEGACY: { value: 'legacy', description: 'Still works; Bedrock has set or will set an end-of-life date.' },
    END_OF_LIFE: { value: 'end-of-life', description: 'Bedrock no longer serves it; requests are refused before any call.' },
  } as const,
});

const ModelAvailability = builder.enumType('ModelAvailability', {
  description: "Whether this account and Region can call the model, as Bedrock's model discovery last said.",
  values: {
    AVAILABLE: { value: 'available' },
    UNAVAILABLE: { value: 'unavailable', description: 'Bedrock does not list it (or the profile) for this account and Region.' },
    UNKNOWN: { value: 'unknown', description: 'Not known: local mode, discovery off or not permitted, or not answered yet.' },
  } as const,
});

const Range = builder.objectRef<NumberRange>('NumberRange').implement({
  fields: (t) => ({ min: t.exposeFloat('min'), max: t.exposeFloat('max') }),
});

const ModelLifecycle = builder.objectRef<CatalogueEntry['lifecycle']>('ModelLifecycle').implement({
  fields: (t) => ({
    status: t.expose('status', { type: LifecycleStatus }),
    legacySince: t.exposeString('legacySince', { nullable: true, description: 'ISO date it became legacy, when known.' }),
    endOfLife: t.exposeString('endOfLife', { nullable: true, description: 'ISO date after which Bedrock stops serving it, when known.' }),
    replacement: t.exposeString('replacement', { nullable: true, description: "AWS's recommended replacement (a model id)." }),
  }),
});

/** A price, or null when unknown (a model outside the catalogue) or not applicable. */
const price = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);

const ModelPrices = builder.objectRef<CatalogueEntry['prices']>('ModelPrices').implement({
  description: 'On-demand USD per million tokens, as published for the Region and profile named in the catalogue sources. Null: unknown.',
  fields: (t) => ({
    input: t.float({ nullable: true, resolve: (p) => price(p.input) }),
    output: t.float({ nullable: true, resolve: (p) => price(p.output) }),
    cacheRead: t.float({ nullable: true, resolve: (p) => price(p.cacheRead) }),
    cacheWrite: t.float({ nullable: true, resolve: (p) => price(p.cacheWrite) }),
  }),
});

const ModelParameters = builder.objectRef<CatalogueEntry['parameters']>('ModelParameters').implement({
  description: 'Sampling parameters the model takes; checked before any call.',
  fields: (t) => ({
    temperature: t.field({ type: Range, resolve: (p) => p.temperature }),
    topP: t.field({ type: Range, nullable: true, description: 'Null: the model has no topP.', resolve: (p) => p.topP }),
    topK: t.field({ type: Range, nullable: true, description: 'Null: the model has no topK.', resolve: (p) => p.topK }),
    maxStopSequences: t.exposeInt('maxStopSequences'),
    exclusive: t.field({
      type: t.listRef(t.listRef('String')),
      description: 'Pairs of parameters the model refuses together, e.g. [["temperature", "topP"]].',
      resolve: (p) => p.exclusive.map((pair) => [...pair]),
    }),
  }),
});

const VisionModel = builder.objectRef<VisionModelView>('VisionModel').implement({
  description: 'A model this server may call, with the limits checked before every request.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The id to ask for: a Bedrock model id, inference-profile id or ARN (or local.image-inspector).' }),
    name: t.exposeString('name'),
    provider: t.exposeString('provider'),
    description: t.exposeString('description'),
    isDefault: t.exposeBoolean('isDefault', { description: 'Used when a request names no model.' }),
    isAllowed: t.exposeBoolean('isAllowed', { description: "On this server's allow-list." }),
    isLocal: t.boolean({
      description: 'True for the embedded offline model, which measures images and is not a language model.',
      resolve: (model) => model.local,
    }),
    baseModelId: t.string({ description: 'The Bedrock base model behind the id.', resolve: (m) => m.entry.id }),
    inferenceProfile: t.string({ nullable: true, description: 'The inference profile the id calls through, if any.', resolve: (m) => m.profile ?? null }),
    apiFamily: t.field({ type: ApiFamily, description: 'The API the gateway uses for it.', resolve: (m) => m.entry.apiFamily }),
    apiFamilies: t.field({ type: [ApiFamily], resolve: (m) => m.entry.apiFamilies }),
    maxOutputTokens: t.exposeInt('maxOutputTokens'),
    maxImages: t.exposeInt('maxImages'),
    maxImageBytes: t.exposeInt('maxImageBytes', { description: 'Largest image sent upstream, in bytes.' }),
    maxImageDimension: t.exposeInt('maxImageDimension', { description: 'Largest width or height Bedrock accepts, in pixels.' }),
    recommendedLongEdge: t.exposeInt('recommendedLongEdge', {
      description: 'Images are downscaled to this long edge before sending; clients can do the same to upload less.',
    }),
    imageFormats: t.stringList({ resolve: (m) => m.entry.images.formats }),
    imageTokenFormula: t.string({
      description: 'Input tokens one image costs, as the provider publishes it.',
      resolve: ({ entry: { images } }) =>
        images.tokenFormula.kind === 'pixels'
          ? `ceil(width × height / ${images.tokenFormula.pixelsPerToken})`
          : `${images.tokenFormula.tokensPerImage} per image`,
    }),
    parameters: t.field({ type: ModelParameters, resolve: (m) => m.entry.parameters }),
    prices: t.field({ type: ModelPrices, resolve: (m) => m.entry.prices }),
    promptCaching: t.boolean({ description: 'Bedrock prompt caching works for it.', resolve: (m) => m.entry.promptCaching !== null }),
    promptCachingMinTokens: t.int({
      nullable: true,
      description: 'Fewest tokens a cached prefix must hold for a cache point to take effect.',
      resolve: (m) => m.entry.promptCaching?.minTokens ?? null,
    }),
    countTokens: t.boolean({ description: "Bedrock's CountTokens supports it.", resolve: (m) => m.entry.countTokens }),
    acceptsAnswerPrefix: t.boolean({
      description: 'The model continues DescribeImageInput.answerPrefix; for the others it is refused before any call.',
      resolve: (m) => m.entry.assistantPrefill,
    }),
    lifecycle: t.field({ type: ModelLifecycle, resolve: (m) => m.entry.lifecycle }),
    availability: t.field({ type: ModelAvailability, resolve: (m) => m.availability }),
    conservativeLimits: t.boolean({
      description: 'Not in the catalogue: the limits are conservative guesses and prices are unknown.',
      resolve: (m) => m.entry.conservative === true,
    }),
    warnings: t.stringList({ description: 'Legacy, end of life or unknown model.', resolve: (m) => m.warnings }),
  }),
});

function view(id: string, services: GatewayContext['services'], entryOverride?: CatalogueEntry): VisionModelView {
  const discovery = services.modelDiscovery;
  const options = discovery?.resolveOptions(services.modelAliases) ?? { aliases: services.modelAliases };
  const resolved = entryOverride ? { entry: entryOverride, profile: undefined } : resolveModel(id, options);
  let entry = resolved?.entry ?? conservativeEntry(id);
  if (discovery) entry = discovery.withReportedLifecycle(entry);
  const available = entry.local ? null : (discovery?.availability(id) ?? null);
  return {
    ...visionModelInfo(id, entry),
    isDefault: id === services.defaultModelId,
    isAllowed: services.allowedModelIds.includes(id),
    entry,
    profile: resolved?.profile,
    availability: available === null ? 'unknown' : available ? 'available' : 'unavailable',
    warnings: modelWarnings(id, entry),
  };
}

builder.queryField('models', (t) =>
  t.field({
    type: [VisionModel],
    description: 'The models a client may ask for; the default one is flagged.',
    resolve: (_root, _args, { services }) => services.allowedModelIds.map((id) => view(id, services)),
  }),
);

builder.queryField('discoveredModels', (t) =>
  t.field({
    type: [VisionModel],
    description:
      'Vision models Bedrock offers this account that the catalogue does not know (conservative limits). ' +
      'Listed for operators: they are callable only once added to the allow-list.',
    resolve: (_root, _args, { services }) =>
      (services.modelDiscovery?.state.uncatalogued ?? []).map((entry) => view(entry.id, services, entry)),
  }),
);

const BedrockMode = builder.enumType('BedrockMode', {
  values: {
    LOCAL: { value: 'local', description: 'The embedded offline endpoint: no AWS account used, no cost.' },
    AWS: { value: 'aws', description: 'Amazon Bedrock, through the AWS SDK and its credentials.' },
  } as const,
});

const ServerInfo = builder
  .objectRef<{ bedrockMode: 'local' | 'aws'; defaultModelId: string }>('ServerInfo')
  .implement({
    fields: (t) => ({
      bedrockMode: t.expose('bedrockMode', { type: BedrockMode }),
      defaultModelId: t.exposeString('defaultModelId'),
    }),
  });

builder.queryField('serverInfo', (t) =>
  t.field({
    type: ServerInfo,
    description: 'Where descriptions come from: the local offline model or Amazon Bedrock.',
    resolve: (_root, _args, { services }) => ({
      bedrockMode: services.bedrockMode,
      defaultModelId: services.defaultModelId,
    }),
  }),
);
