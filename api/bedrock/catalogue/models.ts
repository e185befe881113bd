import type { CatalogueEntry, ImageLimits, ParameterRules, Source } from './types.js';

/**
 * Every vision model the gateway knows on Amazon Bedrock, with the page each
 * fact came from and the date it was read. Data, not code: update it when AWS
 * or a provider changes a page, and keep `sources` honest.
 *
 * Where a fact could not be found on a page, the comment says so and the value
 * is the conservative one (fewer images, smaller output, no caching).
 * Lifecycle here is the last known state; discovery (`ListFoundationModels`'
 * `modelLifecycle`) overrides it at run time.
 */

const READ = '2026-12-01';

/** Shared pages, cited by several entries. */
const PAGES = {
  claudeNoPrefill: {
    url: 'https://platform.claude.com/docs/en/about-claude/models/whats-new-claude-4-6#prefill-removal',
    read: READ,
    covers: 'prefilling the assistant message returns a 400 on Claude 4.6 models and later',
  },
  novaPrefill: {
    url: 'https://docs.aws.amazon.com/nova/latest/userguide/invoke.html',
    read: READ,
    covers: 'Nova continues a final assistant message (prefill)',
  },
  lifecycle: {
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html',
    read: READ,
    covers: 'lifecycle states; legacy and EOL dates of models launched before 2026-09-07',
  },
  claudeOnBedrock: {
    url: 'https://platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock-legacy',
    read: READ,
    covers: 'Bedrock base ids and global/us/eu/jp/apac profile support per Claude model; 20 MB payload; global vs regional (+10%) pricing',
  },
  claudeVision: {
    url: 'https://platform.claude.com/docs/en/build-with-claude/vision',
    read: READ,
    covers: 'image formats, 8000 px per side, tokens ≈ width × height / 750, 1568 px long edge worth sending',
  },
  converseImage: {
    url: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html',
    read: READ,
    covers: 'Converse message: up to 20 images, each at most 3.75 MB and 8000 × 8000 px',
  },
  claudeSampling: {
    url: 'https://github.com/aws-samples/bedrock-access-gateway/issues/191',
    read: READ,
    covers: 'Bedrock refuses temperature and top_p together on Claude Sonnet 4.5, Haiku 4.5 and later ("cannot both be specified for this model")',
  },
  promptCaching: {
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html',
    read: READ,
    covers: 'prompt caching generally available for Claude and Amazon Nova Micro, Lite, Pro and Premier; minimum tokens per checkpoint',
  },
  countTokens: {
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/count-tokens.html',
    read: READ,
    covers: 'CountTokens takes the bare foundation-model id; some Claude models launched with cross-Region inference only lack it on bedrock-runtime',
  },
  countTokensModels: {
    url: 'https://github.com/danilop/ttok4bedrock',
    read: READ,
    covers: 'Claude models with CountTokens: Sonnet 4.6, Opus 4.6, Sonnet 4.5, Opus 4.5, Haiku 4.5 and older',
  },
  countTokensNova: {
    url: 'https://alchemy.run/providers/aws/bedrock/counttokens',
    read: READ,
    covers: 'Amazon Nova models are rejected by CountTokens ("The provided model doesn\'t support counting tokens")',
  },
  claudePricing: {
    url: 'https://aws.amazon.com/bedrock/pricing/',
    read: READ,
    covers: 'on-demand prices (global profile); cache write 1.25× and cache read 0.1× the input price',
  },
  novaModalities: {
    url: 'https://docs.aws.amazon.com/nova/latest/userguide/modalities.html',
    read: READ,
    covers: 'Nova image formats PNG, JPG, GIF, WebP',
  },
  novaRegions: {
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-supported.html',
    read: READ,
    covers: 'Nova Lite and Pro: base id in us-east-1 only, profiles in US, EU and APAC Regions; Nova Premier: profile only (US)',
  },
} satisfies Record<string, Source>;

/**
 * Claude on Bedrock: the Converse image limits (20 images, 3.75 MB, 8000 px)
 * and Anthropic's token formula. Anthropic drops the side limit to 2000 px for
 * more than 20 images; 20 is the most we send, so 8000 px holds.
 */
const CLAUDE_IMAGES: ImageLimits = {
  maxCount: 20,
  maxBytes: 3_750_000,
  maxDimension: 8000,
  formats: ['jpeg', 'png', 'gif', 'webp'],
  longEdge: 1568,
  tokenFormula: { kind: 'pixels', pixelsPerToken: 750 },
};

/** Claude 3.x: temperature and top_p together were allowed. */
const CLAUDE_3_PARAMETERS: ParameterRules = {
  temperature: { min: 0, max: 1 },
  topP: { min: 0, max: 1 },
  topK: { min: 0, max: 500 },
  maxStopSequences: 8191,
  exclusive: [],
};

/** Claude Sonnet 4.5, Haiku 4.5 and later on Bedrock: temperature or top_p, not both. */
const CLAUDE_4_5_PARAMETERS: ParameterRules = {
  ...CLAUDE_3_PARAMETERS,
  exclusive: [['temperature', 'topP']],
};

const BOTH_FAMILIES = ['anthropic-messages', 'converse'] as const;

/**
 * A Claude model past its end of life: kept so a request naming it gets
 * MODEL_END_OF_LIFE with the replacement, instead of Bedrock's bare
 * "provided model identifier is invalid".
 */
function retiredClaude(
  id: string,
  name: string,
  maxOutputTokens: number,
  lifecycle: { endOfLife?: string; replacement: string },
  sources: Source[],
  note = '',
): CatalogueEntry {
  return {
    id,
    name,
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    inferenceProfilePrefixes: [],
    requiresInferenceProfile: false,
    images: CLAUDE_IMAGES,
    maxOutputTokens,
    parameters: CLAUDE_3_PARAMETERS,
    // Prices no longer matter for a model that cannot be called.
    prices: { input: 0, output: 0 },
    promptCaching: null,
    countTokens: false,
    assistantPrefill: true,
    lifecycle: { status: 'end-of-life', ...lifecycle },
    sources: [PAGES.lifecycle, ...sources],
    description: `${name} has reached end of life on Amazon Bedrock.${note}`,
  };
}

export const LOCAL_MODEL_ID = 'local.image-inspector';

/** Image limits of the Nova models (novaModalities, converseImage). */
const NOVA_IMAGES: ImageLimits = {
  maxCount: 20,
  maxBytes: 3_750_000,
  maxDimension: 8000,
  formats: ['jpeg', 'png', 'gif', 'webp'],
  longEdge: 1568,
  // Nova's per-image token table was not found: Claude's formula (an
  // overestimate for large images, Nova downsizes them) stands in.
  tokenFormula: { kind: 'pixels', pixelsPerToken: 750 },
};

/** Nova's sampling parameters through Converse (topK through additionalModelRequestFields). */
const NOVA_PARAMETERS: ParameterRules = {
  temperature: { min: 0, max: 1 },
  topP: { min: 0, max: 1 },
  // Nova takes topK through additionalModelRequestFields (AWS image example sets topK: 20).
  topK: { min: 0, max: 128 },
  maxStopSequences: 4,
  exclusive: [],
};

/**
 * What Llama 4 Scout and Maverick share on Bedrock (sources in each entry):
 * Converse only, through a us. profile, 5 images, no topK, 4 stop sequences.
 */
const LLAMA_4 = {
  provider: 'Meta',
  apiFamily: 'converse',
  apiFamilies: ['converse'],
  inferenceProfilePrefixes: ['us'],
  requiresInferenceProfile: true,
  images: {
    // Meta tested Llama 4 with up to 5 images per prompt; more are not promised.
    maxCount: 5,
    maxBytes: 3_750_000,
    maxDimension: 8000,
    formats: ['jpeg', 'png', 'gif', 'webp'],
    // Llama 4 tiles images at 336 px; a published token formula was not found.
    longEdge: 1568,
    tokenFormula: { kind: 'pixels', pixelsPerToken: 750 },
  },
  maxOutputTokens: 8000,
  parameters: {
    temperature: { min: 0, max: 1 },
    topP: { min: 0, max: 1 },
    topK: null,
    maxStopSequences: 4,
    exclusive: [],
  },
  promptCaching: null,
  countTokens: false,
  // No page found that says Converse continues a final assistant turn for it: refused, not guessed.
  assistantPrefill: false,
  lifecycle: { status: 'active' },
} satisfies Partial<CatalogueEntry>;

export const CATALOGUE: CatalogueEntry[] = [
  // ---- Anthropic Claude: current generations -------------------------------------------
  {
    id: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    name: 'Claude Haiku 4.5',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    // claudeOnBedrock: global, us, eu (no jp, no apac).
    inferenceProfilePrefixes: ['global', 'us', 'eu'],
    // Bedrock answers "on-demand throughput isn't supported" for the base id of
    // Claude 4.5 models (claudeOnBedrock); call it through a profile.
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 64_000,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
    promptCaching: { minTokens: 4096 },
    countTokens: true,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-haiku-4-5.html',
        read: READ,
        covers: 'launch 2025-10-16, EOL no sooner than 2026-10-01, active, 64K output, prompt caching min 4,096 tokens, profile ids',
      },
      PAGES.claudeOnBedrock,
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudeSampling,
      PAGES.countTokens,
      PAGES.countTokensModels,
      PAGES.promptCaching,
      {
        url: 'https://clauder-navi.com/en/bedrock-claude-cost/',
        read: READ,
        covers: 'Haiku 4.5 $1 / $5 per million tokens; cache write 1.25×, read 0.1×',
      },
      PAGES.claudePricing,
    ],
    description: 'Fast, low-cost Claude vision model; called through a cross-Region inference profile.',
  },
  {
    id: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    name: 'Claude Sonnet 4.5',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    inferenceProfilePrefixes: ['global', 'us', 'eu', 'jp'],
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 64_000,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    // Anthropic: 1,024 for Sonnet 4.5; an issue reports no cache hit below 2,048,
    // so the larger (conservative) minimum is kept.
    promptCaching: { minTokens: 2048 },
    countTokens: true,
    assistantPrefill: true,
    // Anthropic retires it on its own API on 2026-11-30; Bedrock sets its own
    // dates and none was found for Bedrock: discovery's modelLifecycle decides.
    lifecycle: { status: 'active' },
    sources: [
      PAGES.claudeOnBedrock,
      {
        url: 'https://platform.claude.com/docs/en/models/sonnet-4-5/overview',
        read: READ,
        covers: '64K output, $3 / $15; deprecated on the Claude API (not a Bedrock date)',
      },
      {
        url: 'https://github.com/anthropics/anthropic-sdk-python/issues/1194',
        read: READ,
        covers: 'cache minimums: 1,024 documented for Sonnet 4.x, 2,048 observed',
      },
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudeSampling,
      PAGES.countTokensModels,
      PAGES.claudePricing,
    ],
    description: 'Balanced Claude vision model (200K context).',
  },
  {
    id: 'anthropic.claude-sonnet-4-6',
    name: 'Claude Sonnet 4.6',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    inferenceProfilePrefixes: ['global', 'us', 'eu', 'jp'],
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 128_000,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    promptCaching: { minTokens: 2048 },
    countTokens: true,
    // Anthropic removed prefill from Claude 4.6 on: a final assistant turn is a 400 (claudeNoPrefill).
    assistantPrefill: false,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.claudeNoPrefill,
      PAGES.claudeOnBedrock,
      {
        url: 'https://dev.classmethod.jp/articles/tsnote-bedrock-check-inference-profile-name/',
        read: READ,
        covers: 'model id anthropic.claude-sonnet-4-6 (no date or version suffix), jp. profile',
      },
      {
        url: 'https://platform.claude.com/docs/en/models/sonnet-4-6/overview',
        read: READ,
        covers: 'released 2026-02-17, 1M context, 128K output, $3 / $15',
      },
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudeSampling,
      PAGES.countTokensModels,
      PAGES.claudePricing,
    ],
    description: 'Claude Sonnet with a 1M-token context.',
  },
  {
    id: 'anthropic.claude-opus-4-5-20251101-v1:0',
    name: 'Claude Opus 4.5',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    inferenceProfilePrefixes: ['global', 'us', 'eu'],
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 64_000,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    promptCaching: { minTokens: 4096 },
    countTokens: true,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.claudeOnBedrock,
      {
        url: 'https://github.com/anthropics/anthropic-sdk-python/issues/1194',
        read: READ,
        covers: 'cache minimum 4,096 tokens for Opus 4.5 and 4.6',
      },
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudeSampling,
      PAGES.countTokensModels,
      PAGES.claudePricing,
    ],
    // Output limit of Opus 4.5 not found on an AWS page: 64K from Anthropic's
    // listing of Opus 4.5 (200K context, 64K output).
    description: 'Most capable Claude of the 4.5 generation.',
  },
  {
    id: 'anthropic.claude-opus-4-6-v1',
    name: 'Claude Opus 4.6',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    apiFamilies: [...BOTH_FAMILIES],
    inferenceProfilePrefixes: ['global', 'us', 'eu', 'jp', 'apac'],
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 128_000,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    promptCaching: { minTokens: 4096 },
    countTokens: true,
    // Anthropic removed prefill from Claude 4.6 on: a final assistant turn is a 400 (claudeNoPrefill).
    assistantPrefill: false,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.claudeNoPrefill,
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-opus-4-6.html',
        read: READ,
        covers: 'launch 2026-02-05, EOL no sooner than 2027-02-05, active, 1M context, 128K output',
      },
      PAGES.claudeOnBedrock,
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudeSampling,
      PAGES.countTokensModels,
      PAGES.claudePricing,
    ],
    description: 'Anthropic flagship (1M context) through InvokeModel and Converse.',
  },
  {
    // The newest generation on Bedrock. Claude models after Opus 4.6 are served
    // by the same infrastructure as Bedrock's Messages endpoint but still answer
    // InvokeModel (claudeOnBedrock); their ids carry no date or version suffix.
    id: 'anthropic.claude-sonnet-5-5',
    name: 'Claude Sonnet 5.5',
    provider: 'Anthropic',
    apiFamily: 'anthropic-messages',
    // Converse support for this generation was not confirmed on an AWS page;
    // listed per the model seam, and discovery marks availability.
    apiFamilies: [...BOTH_FAMILIES],
    // Only the global profile was seen in public use (global.anthropic.claude-sonnet-5-5);
    // us/eu/jp not confirmed.
    inferenceProfilePrefixes: ['global'],
    requiresInferenceProfile: true,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 128_000,
    // Sonnet 5 and later take no non-default sampling parameters
    // (temperature, top_p, top_k): only the default temperature 1 passes.
    parameters: {
      temperature: { min: 1, max: 1 },
      topP: null,
      topK: null,
      maxStopSequences: 8191,
      exclusive: [],
    },
    prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
    // Minimum cache tokens not found for this generation: the largest known (4,096).
    promptCaching: { minTokens: 4096 },
    // Claude models launched with cross-Region inference only lack CountTokens on
    // bedrock-runtime (countTokens page); not listed among the models that have it.
    countTokens: false,
    // Anthropic removed prefill from Claude 4.6 on: a final assistant turn is a 400 (claudeNoPrefill).
    assistantPrefill: false,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.claudeNoPrefill,
      {
        url: 'https://docs.rs/speccoder-runtime/0.5.0/speccoder_runtime/init/constant.BEDROCK_MODEL.html',
        read: READ,
        covers: 'profile id global.anthropic.claude-sonnet-5-5',
      },
      {
        url: 'https://vercel.com/ai-gateway/models/claude-sonnet-5.5',
        read: READ,
        covers: '1M context, 128K output, $2 / $10, served by Bedrock',
      },
      {
        url: 'https://docs.oxen.ai/inference-api/reference/models/claude-sonnet-5',
        read: READ,
        covers: 'Sonnet 5: non-default temperature, top_p, top_k not supported',
      },
      PAGES.countTokens,
      PAGES.claudeOnBedrock,
      PAGES.claudeVision,
      PAGES.converseImage,
      PAGES.claudePricing,
    ],
    description: 'Newest Claude generation listed on Bedrock; sampling parameters are fixed.',
  },

  // ---- Anthropic Claude: end of life ------------------------------------------------------
  retiredClaude(
    'anthropic.claude-3-haiku-20240307-v1:0',
    'Claude 3 Haiku',
    4096,
    { endOfLife: '2026-09-10', replacement: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
    [
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-haiku.html',
        read: READ,
        covers: 'EOL 2026-09-10 in most Regions (ca-central-1, eu-central-2, sa-east-1 still serve it)',
      },
    ],
    ' A few Regions still serve it; allow it by id there at your own risk.',
  ),
  retiredClaude(
    'anthropic.claude-3-5-haiku-20241022-v1:0',
    'Claude 3.5 Haiku',
    8192,
    { endOfLife: '2026-06-19', replacement: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
    [
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-5-haiku.html',
        read: READ,
        covers: 'EOL 2026-06-19',
      },
    ],
  ),
  retiredClaude(
    'anthropic.claude-3-sonnet-20240229-v1:0',
    'Claude 3 Sonnet',
    4096,
    // Its exact Bedrock EOL date was not found; it predates 3.5 Sonnet's (2026-03-01).
    { replacement: 'anthropic.claude-sonnet-4-6' },
    [],
  ),
  retiredClaude(
    'anthropic.claude-3-5-sonnet-20240620-v1:0',
    'Claude 3.5 Sonnet',
    4096,
    { endOfLife: '2026-03-01', replacement: 'anthropic.claude-sonnet-4-6' },
    [
      {
        url: 'https://www.educative.io/newsletter/cloud/the-final-countdown-for-claude-sonnet-35',
        read: READ,
        covers: 'AWS release note: Claude 3.5 Sonnet legacy, EOL on Bedrock 2026-03-01',
      },
    ],
  ),
  retiredClaude(
    'anthropic.claude-3-5-sonnet-20241022-v2:0',
    'Claude 3.5 Sonnet v2',
    8192,
    { endOfLife: '2026-03-01', replacement: 'anthropic.claude-sonnet-4-6' },
    [
      {
        url: 'https://www.educative.io/newsletter/cloud/the-final-countdown-for-claude-sonnet-35',
        read: READ,
        covers: 'AWS release note: Claude 3.5 Sonnet legacy, EOL on Bedrock 2026-03-01',
      },
    ],
  ),
  retiredClaude(
    'anthropic.claude-3-7-sonnet-20250219-v1:0',
    'Claude 3.7 Sonnet',
    8192,
    { endOfLife: '2026-04-28', replacement: 'anthropic.claude-sonnet-4-6' },
    [
      {
        url: 'https://www.bitslovers.com/bedrock-model-lifecycle',
        read: READ,
        covers: 'Claude 3.7 Sonnet EOL on Bedrock 2026-04-28',
      },
    ],
  ),

  // ---- Amazon Nova --------------------------------------------------------------------------
  {
    id: 'amazon.nova-lite-v1:0',
    name: 'Amazon Nova Lite',
    provider: 'Amazon',
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: ['us', 'eu', 'apac'],
    // The base id is served in us-east-1; elsewhere call a us./eu./apac. profile (novaRegions).
    requiresInferenceProfile: false,
    images: NOVA_IMAGES,
    // The model card says 5K; an AWS migration post says 10K. The smaller holds.
    maxOutputTokens: 5000,
    parameters: NOVA_PARAMETERS,
    prices: { input: 0.06, output: 0.24, cacheRead: 0.015 },
    // Nova caches (Converse cachePoint); its minimum per checkpoint was not found: 1,024 assumed.
    promptCaching: { minTokens: 1024 },
    // CountTokens rejects Nova models (countTokensNova).
    countTokens: false,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.novaPrefill,
      PAGES.novaModalities,
      PAGES.promptCaching,
      PAGES.countTokensNova,
      {
        url: 'https://github.com/quattro004/Agent004/wiki/Source-Amazon-Nova-Lite',
        read: READ,
        covers: 'Nova Lite: launch 2024-12-05, 300K context, 5K output (card) vs 10K (post), active',
      },
      {
        url: 'https://raw.githubusercontent.com/badlogic/pi-mono/main/packages/ai/src/models.generated.ts',
        read: READ,
        covers: 'Nova Lite $0.06 / $0.24, cache read $0.015; Nova 2 Lite $0.33 / $2.75',
      },
      PAGES.converseImage,
      PAGES.novaRegions,
    ],
    description: 'Amazon\'s low-cost multimodal model (Converse only).',
  },
  {
    id: 'amazon.nova-pro-v1:0',
    name: 'Amazon Nova Pro',
    provider: 'Amazon',
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: ['us', 'eu', 'apac'],
    requiresInferenceProfile: false,
    images: NOVA_IMAGES,
    maxOutputTokens: 5000,
    parameters: NOVA_PARAMETERS,
    prices: { input: 0.8, output: 3.2, cacheRead: 0.2 },
    promptCaching: { minTokens: 1024 },
    countTokens: false,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.novaPrefill,
      PAGES.novaModalities,
      PAGES.promptCaching,
      PAGES.countTokensNova,
      PAGES.converseImage,
      PAGES.novaRegions,
      {
        url: 'https://www.swfte.com/de/blog/amazon-nova-pro-pricing',
        read: READ,
        covers: 'Nova Pro on Bedrock (May 2026): $0.80 / $3.20, cached input $0.20 per million tokens',
      },
    ],
    description: 'Amazon\'s mid-size multimodal model (Converse only).',
  },
  {
    id: 'amazon.nova-premier-v1:0',
    name: 'Amazon Nova Premier',
    provider: 'Amazon',
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: ['us'],
    requiresInferenceProfile: true,
    images: NOVA_IMAGES,
    // Premier's output limit was not found: Nova's 5K kept.
    maxOutputTokens: 5000,
    parameters: NOVA_PARAMETERS,
    // Price not read on a page this time ($2.50 / $12.50 is the launch figure).
    prices: { input: 2.5, output: 12.5 },
    // Caching is generally available for Premier (promptCaching page); its minimum was not found.
    promptCaching: { minTokens: 1024 },
    countTokens: false,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.novaPrefill,
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference-supported-models-features.html',
        read: READ,
        covers: 'Nova Premier: Converse, ConverseStream, vision',
      },
      PAGES.novaRegions,
      PAGES.promptCaching,
      PAGES.countTokensNova,
      PAGES.novaModalities,
      PAGES.converseImage,
    ],
    description: 'Amazon\'s most capable first-generation Nova (1M context).',
  },
  {
    id: 'amazon.nova-2-lite-v1:0',
    name: 'Amazon Nova 2 Lite',
    provider: 'Amazon',
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: ['global', 'us', 'eu', 'jp'],
    // Cross-Region inference only (no in-Region base id on bedrock-runtime).
    requiresInferenceProfile: true,
    images: NOVA_IMAGES,
    maxOutputTokens: 64_000,
    parameters: NOVA_PARAMETERS,
    prices: { input: 0.33, output: 2.75 },
    // Nova 2 caching details not found: off.
    promptCaching: null,
    countTokens: false,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [
      PAGES.novaPrefill,
      {
        url: 'https://github.com/quattro004/Agent004/wiki/Source-Amazon-Nova-Lite',
        read: READ,
        covers: 'Nova 2 Lite: launch 2025-12-02, 1M context, 64K output, cross-Region inference only, active',
      },
      {
        url: 'https://docs.aws.amazon.com/nova/latest/nova2-userguide/using-multimodal-models.html',
        read: READ,
        covers: 'Nova 2 multimodal input',
      },
      {
        url: 'https://vercel.com/ai-gateway/models/nova-2-lite',
        read: READ,
        covers: '$0.33 / $2.75 per million tokens on Bedrock',
      },
      PAGES.converseImage,
    ],
    description: 'Second-generation Nova Lite (1M context), through a cross-Region profile.',
  },

  // ---- Meta Llama 4 ---------------------------------------------------------------------------
  {
    id: 'meta.llama4-scout-17b-instruct-v1:0',
    name: 'Llama 4 Scout 17B',
    ...LLAMA_4,
    prices: { input: 0.17, output: 0.66 },
    sources: [
      {
        url: 'https://github.com/braintrustdata/braintrust-proxy/issues/557',
        read: READ,
        covers: 'meta.llama4-scout-17b-instruct-v1:0, us. profile, 8,000 output tokens, converse, text+image',
      },
      {
        url: 'https://vercel.com/ai-gateway/models/llama-4-scout/providers',
        read: READ,
        covers: 'Amazon Bedrock $0.17 / $0.66',
      },
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html',
        read: READ,
        covers: 'Llama parameters: temperature, top_p, max_gen_len; no top_k',
      },
      PAGES.converseImage,
    ],
    description: 'Meta\'s efficient multimodal mixture-of-experts model.',
  },
  {
    id: 'meta.llama4-maverick-17b-instruct-v1:0',
    name: 'Llama 4 Maverick 17B',
    ...LLAMA_4,
    // Maverick's Bedrock price was not read on a page this time ($0.24 / $0.97 at launch).
    prices: { input: 0.24, output: 0.97 },
    sources: [
      {
        url: 'https://github.com/braintrustdata/braintrust-proxy/issues/557',
        read: READ,
        covers: 'meta.llama4-maverick-17b-instruct-v1:0, us. profile, 8,000 output tokens, converse, text+image',
      },
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html',
        read: READ,
        covers: 'Llama parameters: temperature, top_p, max_gen_len; no top_k',
      },
      PAGES.converseImage,
    ],
    description: 'Meta\'s larger multimodal mixture-of-experts model.',
  },

  // ---- Mistral ------------------------------------------------------------------------------------
  {
    id: 'mistral.pixtral-large-2502-v1:0',
    name: 'Pixtral Large (25.02)',
    provider: 'Mistral AI',
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: ['us', 'eu'],
    requiresInferenceProfile: true,
    images: {
      // Images per request on Bedrock not found: a conservative 5.
      maxCount: 5,
      maxBytes: 3_750_000,
      maxDimension: 8000,
      formats: ['jpeg', 'png', 'gif', 'webp'],
      longEdge: 1568,
      tokenFormula: { kind: 'pixels', pixelsPerToken: 750 },
    },
    maxOutputTokens: 16_000,
    parameters: {
      temperature: { min: 0, max: 1 },
      topP: { min: 0, max: 1 },
      // Mistral's chat completion on Bedrock has no top_k.
      topK: null,
      maxStopSequences: 10,
      exclusive: [],
    },
    prices: { input: 2, output: 6 },
    promptCaching: null,
    countTokens: false,
    // No page found that says Converse continues a final assistant turn for it: refused, not guessed.
    assistantPrefill: false,
    lifecycle: { status: 'active' },
    sources: [
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-mistral-ai-pixtral-large.html',
        read: READ,
        covers: 'launch 2024-11-19, EOL no sooner than 2026-04-08, active, 128K context, 16K output',
      },
      {
        url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-pixtral-large.html',
        read: READ,
        covers: 'Converse supported; chat completion parameters',
      },
      {
        url: 'https://docs.mistral.ai/models/pixtral-large-24-11',
        read: READ,
        covers: '$2 / $6 per million tokens (Mistral\'s price; Bedrock\'s not read)',
      },
      PAGES.converseImage,
    ],
    description: 'Mistral\'s 124B multimodal model for documents and charts.',
  },

  // ---- The embedded offline model ---------------------------------------------------------
  {
    id: LOCAL_MODEL_ID,
    name: 'Local image inspector (offline, not an LLM)',
    provider: 'bedrock-vision-gateway',
    local: true,
    apiFamily: 'anthropic-messages',
    apiFamilies: ['anthropic-messages', 'converse'],
    inferenceProfilePrefixes: [],
    requiresInferenceProfile: false,
    images: CLAUDE_IMAGES,
    maxOutputTokens: 4096,
    parameters: CLAUDE_4_5_PARAMETERS,
    prices: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    // Small, so offline tests reach the caching paths with short prompts.
    promptCaching: { minTokens: 16 },
    countTokens: true,
    assistantPrefill: true,
    lifecycle: { status: 'active' },
    sources: [{ url: 'api/local/image-inspector.ts', read: READ, covers: 'the embedded model itself' }],
    description:
      'Embedded offline model: reports what it can measure (format, size, orientation, brightness, colours). ' +
      'Configure AWS credentials to use a vision model on Bedrock.',
  },
];
