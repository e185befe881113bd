import sharp from 'sharp';

export const INSPECTOR_PREAMBLE =
  'Local image inspector (offline, not a language model; configure AWS credentials to use Claude on Bedrock).';

interface ImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string };
}

interface ContentBlock {
  type?: string;
  text?: string;
}

export interface MessagesBody {
  system?: string;
  max_tokens?: number;
  messages?: { content?: ContentBlock[] }[];
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

/**
 * The local model's answer to an Anthropic Messages body: a measured report of
 * each image, never a pretend description of its content, and an input-token
 * estimate (text at ~4 characters a token, images at width × height / 750).
 */
export async function inspectMessagesBody(body: MessagesBody): Promise<{ text: string; inputTokens: number }> {
  const blocks = (body.messages ?? []).flatMap((m) => m.content ?? []);
  const images = blocks.filter((b): b is ImageBlock => b.type === 'image');
  const textLength = blocks.reduce((n, b) => n + (b.type === 'text' ? (b.text?.length ?? 0) : 0), body.system?.length ?? 0);
  const inspected = await Promise.all(
    images.map((block, i) => inspectImage(Buffer.from(block.source.data, 'base64'), block.source.media_type, i + 1)),
  );
  const count = images.length === 1 ? 'one image' : `${images.length} images`;
  const text = [INSPECTOR_PREAMBLE, `It measured ${count} and did not interpret your prompt.`, ...inspected.map((i) => i.report)].join(' ');
  const inputTokens = Math.ceil(textLength / 4) + inspected.reduce((n, i) => n + i.tokens, 0);
  return { text, inputTokens };
}

/** Splits text into small word-sized deltas, as a model streams them. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}
