import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A flat-colour test picture in the given format, generated (never downloaded). */
export async function solidImage(
  format: 'png' | 'jpeg' | 'gif' | 'webp',
  width = 64,
  height = 48,
  colour = '#3366cc',
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
}

/** A noisy photo-sized JPEG, like a 12-megapixel phone photo (4032×3024, several MB). */
export async function phonePhoto(width = 4032, height = 3024): Promise<Buffer> {
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

/** A landscape JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6). */
export async function rotatedJpeg(width = 80, height = 40): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header claiming width × height pixels,
 * with a tiny body. Decoding it would need gigabytes; reading the header does not.
 */
export function pngBombHeader(width = 30_000, height = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A BMP: a real image format that Bedrock does not take. */
export function bmpImage(): Buffer {
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + 4, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(1, 18);
  header.writeInt32LE(1, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  return Buffer.concat([header, Buffer.from([0, 0, 255, 0])]);
}

/** Bytes that start with the PNG signature but are not a PNG: a spoofed file. */
export function spoofedPng(): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('#!/bin/sh\necho not an image\n')]);
}

export const base64 = (bytes: Buffer) => bytes.toString('base64');
export const dataUrl = (bytes: Buffer, mediaType: string) => `data:${mediaType};base64,${bytes.toString('base64')}`;
