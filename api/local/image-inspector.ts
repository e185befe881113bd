import { createHash } from 'node:crypto';
import sharp from 'sharp';

export const INSPECTOR_PREAMBLE =
  'Local image inspector (offline, not a language model; configure AWS credentials to use Claude on Bedrock).';

/** An Anthropic Messages content block, as the local model reads it. */
interface ContentBlock {
  type?: string;
  text?: string;
  source?: { type?: string; media_type?: string; data?: string };
  cache_control?: { type?: string };
}

export interface MessagesBody {
  system?: string;
  max_tokens?: number;
  messages?: { role?: string; content?: ContentBlock[] }[];
}

/** A Converse content block as it travels in JSON (image bytes in base64). */
interface ConverseBlock {
  text?: string;
  image?: { format?: string; source?: { bytes?: string } };
  cachePoint?: { type?: string };
}

export interface ConverseBody {
  system?: ConverseBlock[];
  messages?: { role?: string; content?: ConverseBlock[] }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  additionalModelRequestFields?: Record<string, unknown>;
}

/** CountTokens: a Converse request's messages and system, or an InvokeModel body (base64 in JSON). */
export interface CountTokensBody {
  input?: { converse?: Pick<ConverseBody, 'system' | 'messages'>; invokeModel?: { body?: string } };
}

/** A request in the order the model reads it, whichever API brought it. */
export type PromptPart = { kind: 'text'; text: string } | { kind: 'image'; bytes: Buffer; mediaType: string } | { kind: 'cache-point' };

export function partsOfMessagesBody(body: MessagesBody): PromptPart[] {
  const parts: PromptPart[] = body.system ? [{ kind: 'text', text: body.system }] : [];
  for (const block of (body.messages ?? []).flatMap((m) => m.content ?? [])) {
    if (block.type === 'image') {
      parts.push({ kind: 'image', bytes: Buffer.from(block.source?.data ?? '', 'base64'), mediaType: block.source?.media_type ?? '' });
    } else if (block.type === 'text') {
      parts.push({ kind: 'text', text: block.text ?? '' });
    }
    // Anthropic marks the end of a cached prefix on the block itself.
    if (block.cache_control) parts.push({ kind: 'cache-point' });
  }
  return parts;
}

export function partsOfConverseBody(body: Pick<ConverseBody, 'system' | 'messages'>): PromptPart[] {
  const parts: PromptPart[] = [];
  for (const block of [...(body.system ?? []), ...(body.messages ?? []).flatMap((m) => m.content ?? [])]) {
    if (block.image) {
      parts.push({ kind: 'image', bytes: Buffer.from(block.image.source?.bytes ?? '', 'base64'), mediaType: `image/${block.image.format}` });
    } else if (block.text !== undefined) {
      parts.push({ kind: 'text', text: block.text });
    } else if (block.cachePoint) {
      parts.push({ kind: 'cache-point' });
    }
  }
  return parts;
}

/**
 * What the local model remembers of cached prefixes: the first request with a
 * cache point writes its prefix, later ones with the same prefix read it, as
 * Bedrock reports it (cacheWriteInputTokens, then cacheReadInputTokens), so
 * prompt caching can be tested offline. Bounded: the oldest prefix goes first.
 */
export class PromptCache {
  private readonly seen = new Set<string>();

  constructor(private readonly maxEntries = 1_000) {}

  /** True when `key` was cached before; caches it either way. */
  hit(key: string): boolean {
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.values().next().value!);
    return false;
  }
}

const PALETTE: [string, number, number, number][] = [
  ['black', 0, 0, 0],
  ['dark grey', 64, 64, 64],
  ['grey', 128, 128, 128],
  ['light grey', 192, 192, 192],
  ['white', 255, 255, 255],
  ['red', 220, 30, 30],
  ['dark red', 128, 0, 0],
  ['orange', 255, 140, 0],
  ['yellow', 240, 220, 40],
  ['olive', 128, 128, 0],
  ['green', 40, 170, 60],
  ['dark green', 0, 90, 30],
  ['teal', 0, 128, 128],
  ['cyan', 60, 220, 230],
  ['sky blue', 120, 180, 240],
  ['blue', 30, 70, 220],
  ['navy', 10, 20, 100],
  ['purple', 128, 40, 160],
  ['magenta', 230, 40, 200],
  ['pink', 250, 170, 200],
  ['brown', 120, 70, 30],
  ['beige', 225, 205, 160],
];

function colourName(r: number, g: number, b: number): string {
  let best = PALETTE[0]![0];
  let bestDistance = Infinity;
  for (const [name, pr, pg, pb] of PALETTE) {
    const distance = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best;
}

function hex(r: number, g: number, b: number): string {
  return '#' + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
}

function brightnessWord(percent: number): string {
  if (percent < 20) return 'very dark';
  if (percent < 40) return 'dark';
  if (percent < 60) return 'moderately lit';
  if (percent < 80) return 'bright';
  return 'very bright';
}

/** What can honestly be measured in one image, as sentences. */
async function inspectImage(bytes: Buffer, mediaType: string, position: number): Promise<{ report: string; tokens: number }> {
  const image = sharp(bytes);
  const [meta, stats] = await Promise.all([image.metadata(), image.stats()]);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const shape = width > height * 1.05 ? 'landscape' : height > width * 1.05 ? 'portrait' : 'square';
  const [r, g, b] = [0, 1, 2].map((i) => stats.channels[i]?.mean ?? stats.channels[0]?.mean ?? 0) as [number, number, number];
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  const brightness = Math.round(luminance * 100);
  const spread = stats.channels.slice(0, 3).reduce((sum, c) => sum + c.stdev, 0) / Math.min(3, stats.channels.length);
  const contrast = spread < 25 ? 'low' : spread < 60 ? 'moderate' : 'high';
  const { r: dr, g: dg, b: db } = stats.dominant;
  const colourful = Math.max(r, g, b) - Math.min(r, g, b) > 30 ? 'colourful' : 'mostly neutral in colour';
  const sentences = [
    `Image ${position} is a ${mediaType.replace('image/', '').toUpperCase()} of ${width} × ${height} pixels (${shape}, ${(bytes.length / 1024).toFixed(1)} KiB).`,
    `It is ${brightnessWord(brightness)} (average brightness ${brightness}%) with ${contrast} contrast and is ${colourful}.`,
    `The dominant colour is close to ${colourName(dr, dg, db)} (${hex(dr, dg, db)}); the average colour is ${hex(r, g, b)}.`,
    stats.isOpaque ? 'It has no transparent areas.' : 'Parts of it are transparent.',
    `Detail: entropy ${stats.entropy.toFixed(2)} bits, sharpness ${stats.sharpness.toFixed(2)}.`,
  ];
  // Anthropic's documented estimate of an image's input tokens.
  return { report: sentences.join(' '), tokens: Math.ceil((width * height) / 750) };
}

export interface Inspection {
  text: string;
  /** Input tokens not read from or written to the cache. */
  inputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

const textTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * The local model's answer to a request of either API: a measured report of
 * each image, never a pretend description of its content, and an input-token
 * estimate (text at ~4 characters a token, images at width × height / 750).
 * With a cache point and a `cache`, the tokens before the last cache point
 * are reported as a cache write the first time and a cache read after.
 */
export async function inspectPrompt(parts: PromptPart[], cache?: PromptCache): Promise<Inspection> {
  const images = parts.filter((p): p is Extract<PromptPart, { kind: 'image' }> => p.kind === 'image');
  const inspected = await Promise.all(images.map((image, i) => inspectImage(image.bytes, image.mediaType, i + 1)));
  const count = images.length === 1 ? 'one image' : `${images.length} images`;
  const text = [INSPECTOR_PREAMBLE, `It measured ${count} and did not interpret your prompt.`, ...inspected.map((i) => i.report)].join(' ');

  let total = 0;
  let imageIndex = 0;
  let prefixTokens = 0;
  let prefixEnd = -1;
  parts.forEach((part, index) => {
    if (part.kind === 'text') total += textTokens(part.text);
    else if (part.kind === 'image') total += inspected[imageIndex++]!.tokens;
    else {
      prefixTokens = total;
      prefixEnd = index;
    }
  });
  if (!cache || prefixEnd < 0) return { text, inputTokens: total };
  const hash = createHash('sha256');
  for (const part of parts.slice(0, prefixEnd)) hash.update(part.kind === 'image' ? part.bytes : part.kind === 'text' ? `text:${part.text}` : 'cache');
  const hit = cache.hit(hash.digest('hex'));
  return { text, inputTokens: total - prefixTokens, ...(hit ? { cacheReadInputTokens: prefixTokens } : { cacheWriteInputTokens: prefixTokens }) };
}

/** The local model's answer to an Anthropic Messages body. */
export function inspectMessagesBody(body: MessagesBody, cache?: PromptCache): Promise<Inspection> {
  return inspectPrompt(partsOfMessagesBody(body), cache);
}

/** Splits text into small word-sized deltas, as a model streams them. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}
