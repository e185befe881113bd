import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { ErrorCode, gatewayError } from '../errors.js';
import { formatBytes } from './decode-base64.js';
import { DecodeQueue } from './decode-queue.js';
import { MEDIA_TYPES, sniffImageFormat, type ImageFormat } from './sniff.js';
import { isSrgbProfile, MalformedImageError, stripJpeg, stripPng, stripWebp } from './strip-metadata.js';

export interface ImageLimits {
  /** Largest input accepted, before normalisation. */
  maxInputBytes: number;
  /** Largest pixel count read from the header; a decompression bomb stops here, undecoded. */
  maxInputPixels: number;
  /** Largest image the model accepts (Bedrock: 3.75 MB). */
  maxImageBytes: number;
  /** Longest edge the model uses; larger images are downscaled to it. */
  longEdge: number;
}

/** An image ready for Bedrock: a supported format, upright, within every limit. */
export interface NormalisedImage {
  bytes: Buffer;
  format: ImageFormat;
  mediaType: string;
  width: number;
  height: number;
  original: { format: ImageFormat; width: number; height: number; byteSize: number };
  /** True when the pixels were re-encoded (resized, rotated, converted or shrunk); false when only metadata was removed. */
  reencoded: boolean;
}

/** Formats people often send by mistake, named so the error says what the file is. */
function describeUnsupported(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.slice(4, 12).match(/ftyp(heic|heix|mif1|avif)/)) return 'a HEIC/AVIF image';
  if (head.startsWith('BM')) return 'a BMP image';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'a TIFF image';
  if (head.startsWith('%PDF')) return 'a PDF document';
  if (/^\s*(<\?xml|<svg)/i.test(head)) return 'an SVG/XML document';
  return 'not an image format we recognise';
}

const JPEG_QUALITY = 85;

// libvips' operation cache keeps decoded tiles of past images (up to 50 MB and
// 100 operations by default); every image here is new, so it only holds memory.
sharp.cache(false);

/** The lossless metadata stripper of each format that can be sent as it came. */
const STRIP: Partial<Record<ImageFormat, (bytes: Uint8Array) => Buffer>> = {
  jpeg: stripJpeg,
  png: stripPng,
  webp: stripWebp,
};

export interface NormaliseOptions {
  /** The queue every decode waits its turn in. @default one queue shared by the process, with DEFAULT_DECODE_QUEUE settings */
  queue?: DecodeQueue;
  /** The request's signal: when it aborts, an image still waiting leaves the queue. */
  signal?: AbortSignal;
}

let sharedQueue: DecodeQueue | undefined;

/**
 * Checks an image and makes it fit the model: the real format from its bytes,
 * the pixel count from its header before anything is decoded, a full decode to
 * catch truncation, EXIF orientation applied, and anything larger than the
 * model's useful size downscaled, so a 12-megapixel phone photo just works.
 * Only pixels leave: metadata is stripped losslessly from an image that fits
 * as it is, and every other image is re-encoded in sRGB with no metadata.
 * Decoding waits its turn in a DecodeQueue, which bounds memory.
 */
export async function normaliseImage(
  bytes: Buffer,
  limits: ImageLimits,
  label: string,
  options: NormaliseOptions = {},
): Promise<NormalisedImage> {
  const format = sniffImageFormat(bytes);
  if (!format) {
    throw gatewayError(
      ErrorCode.IMAGE_UNSUPPORTED,
      `${label}: the file is ${describeUnsupported(bytes)}. Send a JPEG, PNG, GIF or WebP image.`,
    );
  }
  if (bytes.length > limits.maxInputBytes) {
    throw gatewayError(
      ErrorCode.IMAGE_TOO_LARGE,
      `${label}: the file is ${formatBytes(bytes.length)}; the limit is ${formatBytes(limits.maxInputBytes)}.`,
    );
  }

  let metadata: Metadata;
  try {
    // Only the header is read here, so no pixel limit yet: the check below gives the clearer error.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw corrupt(label, format);
  }
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  // A header that sharp reads as another format, or as no size at all, is spoofed.
  if (metadata.format !== format || width === 0 || height === 0) throw corrupt(label, format);
  if (width * height > limits.maxInputPixels) {
    throw gatewayError(
      ErrorCode.IMAGE_TOO_LARGE,
      `${label}: ${width}×${height} px is ${(width * height / 1e6).toFixed(1)} megapixels; ` +
        `the limit is ${(limits.maxInputPixels / 1e6).toFixed(1)} megapixels. Resize it first.`,
    );
  }

  const queue = options.queue ?? (sharedQueue ??= new DecodeQueue());
  const original = { format, width, height, byteSize: bytes.length };
  return queue.run(width * height, () => prepare(bytes, metadata, limits, label, original), options.signal);
}

async function prepare(
  bytes: Buffer,
  metadata: Metadata,
  limits: ImageLimits,
  label: string,
  original: NormalisedImage['original'],
): Promise<NormalisedImage> {
  const { format, width, height } = original;
  const options: SharpOptions = { limitInputPixels: limits.maxInputPixels, failOn: 'truncated' };
  const strip = STRIP[format];
  const needsWork =
    !strip ||
    (metadata.orientation ?? 1) > 1 ||
    Math.max(width, height) > limits.longEdge ||
    (metadata.pages ?? 1) > 1 ||
    // Colours that need converting to look right without their profile.
    metadata.space === 'cmyk' ||
    (metadata.icc !== undefined && !isSrgbProfile(metadata.icc));

  if (!needsWork) {
    // Already fit to send: keep the caller's pixels as they are (no quality
    // lost) without the metadata, and decode the copy once so a truncated or
    // corrupt file is refused here, not by Bedrock. (A raw decode: stats()
    // decodes the same pixels but costs ~15x more CPU.) Only a copy that
    // decodes without a single warning goes as it is: damaged compressed data
    // (which can carry spliced-in bytes) is re-encoded below instead.
    const stripped = tryStrip(strip, bytes);
    // (Sized after stripping: bytes appended to a small image do not force a lossy re-encode.)
    if (stripped && stripped.length <= limits.maxImageBytes) {
      try {
        const { info } = await sharp(stripped, { ...options, failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
        if (info.width === width && info.height === height) {
          return { bytes: stripped, format, mediaType: MEDIA_TYPES[format], width, height, original, reencoded: false };
        }
      } catch {
        // Re-encoding below decodes the original: it refuses the file if that fails too.
      }
    }
  }

  try {
    // No withMetadata()/keepIccProfile(): sharp converts to sRGB and writes no metadata.
    const pipeline = sharp(bytes, options)
      .rotate()
      .resize({ width: limits.longEdge, height: limits.longEdge, fit: 'inside', withoutEnlargement: true });
    // GIF re-encodes as PNG: only the first frame is used by the model.
    const target: ImageFormat = format === 'gif' ? 'png' : format;
    let out = await encode(pipeline.clone(), target);
    if (out.data.length > limits.maxImageBytes && target !== 'jpeg') {
      out = await encode(pipeline.clone().flatten({ background: '#ffffff' }), 'jpeg');
    }
    if (out.data.length > limits.maxImageBytes) {
      throw gatewayError(
        ErrorCode.IMAGE_TOO_LARGE,
        `${label}: even re-encoded the image is ${formatBytes(out.data.length)}; the model's limit is ${formatBytes(limits.maxImageBytes)}.`,
      );
    }
    return {
      bytes: out.data,
      format: out.format,
      mediaType: MEDIA_TYPES[out.format],
      width: out.info.width,
      height: out.info.height,
      original,
      reencoded: true,
    };
  } catch (error) {
    if ((error as { extensions?: unknown }).extensions) throw error;
    throw corrupt(label, format);
  }
}

/** The stripped copy, or undefined when the structure is unusual enough that a re-encode is safer. */
function tryStrip(strip: (bytes: Uint8Array) => Buffer, bytes: Buffer): Buffer | undefined {
  try {
    return strip(bytes);
  } catch (error) {
    if (error instanceof MalformedImageError) return undefined;
    throw error;
  }
}

async function encode(pipeline: Sharp, format: ImageFormat) {
  const encoded =
    format === 'jpeg'
      ? pipeline.jpeg({ quality: JPEG_QUALITY })
      : format === 'webp'
        ? pipeline.webp({ quality: JPEG_QUALITY })
        : pipeline.png();
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { data, info, format };
}

function corrupt(label: string, format: ImageFormat) {
  return gatewayError(
    ErrorCode.IMAGE_CORRUPT,
    `${label}: the file starts like a ${format.toUpperCase()} image but cannot be decoded (truncated or corrupt). Re-export or re-capture it.`,
  );
}
