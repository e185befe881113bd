import sharp from 'sharp';
import { modelInfo } from '../../api/bedrock/models.js';
import { loadConfig } from '../../api/config.js';
import { normaliseImage } from '../../api/images/normalise.js';
import { phonePhoto } from '../../test/helpers/images.js';
import type { Harness } from '../lib/harness.js';
import { monotonicMs } from '../lib/clock.js';
import { median } from '../lib/stats.js';

export interface ImageResult {
  name: string;
  format: string;
  widthIn: number;
  heightIn: number;
  bytesIn: number;
  widthOut: number;
  heightOut: number;
  bytesOut: number;
  formatOut: string;
  p50Ms: number;
  runsMs: number[];
  /** Anthropic's estimate for an image: width × height ÷ 750. */
  tokensBefore: number;
  tokensAfter: number;
}

/** A 4000×3000 screenshot-like PNG: a gradient, translucent shapes and text, generated with sharp. */
async function screenshotPng(width: number, height: number): Promise<Buffer> {
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let shapes = '';
  for (let i = 0; i < 300; i++) {
    shapes += `<circle cx="${random() * width}" cy="${random() * height}" r="${20 + random() * 200}" fill="hsl(${random() * 360},70%,55%)" fill-opacity="0.6"/>`;
  }
  for (let i = 0; i < 60; i++) {
    shapes += `<text x="${random() * width}" y="${random() * height}" font-size="${30 + random() * 90}" fill="#222">Line of text ${i}</text>`;
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#0b486b"/><stop offset="1" stop-color="#f56217"/></linearGradient></defs>' +
    `<rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Noise blurred to the detail of a real photo: a 12-MP JPEG of a phone camera's size, not the worst case. */
async function photoLikeJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .blur(3)
    .jpeg({ quality: 90 })
    .toBuffer();
}

const tokens = (width: number, height: number) => Math.round((width * height) / 750);

/**
 * Scenario 5: normalising big inputs, as prepareDescription does for every
 * inline image, with the default model's limits. libvips' operation cache is
 * off so each run does the whole work, as a new upload would.
 */
export async function imagesScenario(harness: Harness): Promise<ImageResult[]> {
  sharp.cache(false);
  const runs = harness.quick ? 3 : 9;
  const config = loadConfig({ BEDROCK_MODE: 'local' });
  const model = modelInfo(config.defaultModelId);
  const limits = {
    maxInputBytes: config.images.maxInputBytes,
    maxInputPixels: config.images.maxInputPixels,
    maxImageBytes: model.maxImageBytes,
    longEdge: model.recommendedLongEdge,
  };
  const inputs = [
    { name: '12-MP JPEG (test/helpers phonePhoto: 4032×3024, noise, q95)', bytes: await phonePhoto(4032, 3024) },
    { name: '12-MP JPEG, photo-like (the same noise blurred, q90)', bytes: await photoLikeJpeg(4032, 3024) },
    { name: '4000×3000 PNG (gradient, shapes, text)', bytes: await screenshotPng(4000, 3000) },
  ];
  const results: ImageResult[] = [];
  for (const input of inputs) {
    const meta = await sharp(input.bytes).metadata();
    const times: number[] = [];
    let out;
    for (let i = 0; i < runs + 1; i++) {
      const started = monotonicMs();
      out = await normaliseImage(input.bytes, limits, 'bench');
      if (i > 0) times.push(monotonicMs() - started); // the first run warms sharp up
    }
    results.push({
      name: input.name,
      format: meta.format!,
      widthIn: meta.width!,
      heightIn: meta.height!,
      bytesIn: input.bytes.length,
      widthOut: out!.width,
      heightOut: out!.height,
      bytesOut: out!.bytes.length,
      formatOut: out!.format,
      p50Ms: median(times),
      runsMs: times.map((t) => Math.round(t)),
      tokensBefore: tokens(meta.width!, meta.height!),
      tokensAfter: tokens(out!.width, out!.height),
    });
  }
  return results;
}
