/**
 * What the gateway knows about each vision model it may call. The limits are
 * Bedrock's and Anthropic's published ones; they are checked before any request.
 */
export interface VisionModelInfo {
  id: string;
  name: string;
  provider: string;
  /** True for the embedded local model, which measures images instead of understanding them. */
  local: boolean;
  description: string;
  maxOutputTokens: number;
  maxImages: number;
  /** Bedrock refuses a single image above 3.75 MB. */
  maxImageBytes: number;
  /** Bedrock refuses an image wider or taller than 8000 px. */
  maxImageDimension: number;
  /** Larger images are downscaled to this long edge: Claude resizes them anyway. */
  recommendedLongEdge: number;
}

export const LOCAL_MODEL_ID = 'local.image-inspector';

const CLAUDE_LIMITS = {
  provider: 'Anthropic',
  local: false,
  maxImages: 20,
  maxImageBytes: 3_750_000,
  maxImageDimension: 8000,
  recommendedLongEdge: 1568,
} as const;

const KNOWN_MODELS: VisionModelInfo[] = [
  {
    id: 'anthropic.claude-3-haiku-20240307-v1:0',
    name: 'Claude 3 Haiku',
    description: 'Fast, low-cost vision model on Amazon Bedrock.',
    maxOutputTokens: 4096,
    ...CLAUDE_LIMITS,
  },
  {
    id: 'anthropic.claude-3-sonnet-20240229-v1:0',
    name: 'Claude 3 Sonnet',
    description: 'Balanced vision model on Amazon Bedrock.',
    maxOutputTokens: 4096,
    ...CLAUDE_LIMITS,
  },
  {
    id: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    name: 'Claude 3.5 Sonnet',
    description: 'Stronger vision model on Amazon Bedrock.',
    maxOutputTokens: 4096,
    ...CLAUDE_LIMITS,
  },
  {
    id: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    name: 'Claude 3.5 Sonnet v2',
    description: 'Stronger vision model on Amazon Bedrock (may need an inference profile in your region).',
    maxOutputTokens: 8192,
    ...CLAUDE_LIMITS,
  },
  {
    id: LOCAL_MODEL_ID,
    name: 'Local image inspector (offline, not an LLM)',
    provider: 'bedrock-vision-gateway',
    local: true,
    description:
      'Embedded offline model: reports what it can measure (format, size, orientation, brightness, colours). ' +
      'Configure AWS credentials to use Claude on Bedrock.',
    maxOutputTokens: 4096,
    maxImages: 20,
    maxImageBytes: 3_750_000,
    maxImageDimension: 8000,
    recommendedLongEdge: 1568,
  },
];

/**
 * The info for a model id. Ids not in the table (a newer Claude, or a
 * cross-region inference profile such as `us.anthropic.…`) get Claude's limits,
 * since only Anthropic's Messages body is spoken here.
 */
export function modelInfo(id: string): VisionModelInfo {
  const known = KNOWN_MODELS.find((m) => m.id === id);
  if (known) return known;
  return {
    id,
    name: id,
    description: 'Anthropic model on Amazon Bedrock (added by configuration).',
    maxOutputTokens: 4096,
    ...CLAUDE_LIMITS,
  };
}

export const DEFAULT_BEDROCK_MODEL_IDS = KNOWN_MODELS.filter((m) => !m.local).map((m) => m.id);
