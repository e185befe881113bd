import { constants } from 'node:buffer';
import { inflateSync } from 'node:zlib';

/**
 * Lossless metadata removal: a copy of an image holding only what a decoder
 * needs to draw its pixels, so no EXIF (GPS, camera, artist), XMP, ICC
 * profile, text chunk, comment or bytes appended after the image's end reach
 * the model (issue 9, defect 4). The compressed pixel data is copied as is,
 * so nothing is re-encoded and no quality is lost.
 *
 * Each function throws `MalformedImageError` when the structure is not what
 * its format's spec says; the caller then re-encodes the image instead.
 * Orientation and colour profiles are the caller's job: an image whose EXIF
 * orientation or ICC profile matters must be re-encoded, not stripped.
 */

export class MalformedImageError extends Error {}

function malformed(message: string): never {
  throw new MalformedImageError(message);
}

// JPEG (ITU T.81, B.1.1): markers that define how the pixels are decoded.
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP14 = 0xee;
/** DQT, DHT, DAC, DRI, DNL and the SOF markers (C0–CF without DHT C4, JPG C8, DAC CC, which are listed anyway). */
function isDecodingMarker(marker: number): boolean {
  return (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || marker === 0xdb || marker === 0xdd || marker === 0xdc;
}

/**
 * A JPEG with only SOI, the tables, frame and scan headers, the scan data,
 * a minimal JFIF APP0 (no thumbnail) and the Adobe APP14 segment (it says
 * how the colour channels are transformed), then EOI: APP1–APP13, APP15
 * (EXIF, XMP, ICC, Photoshop IRB...), COM and anything after EOI are dropped.
 */
export function stripJpeg(bytes: Uint8Array): Buffer {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) malformed('no JPEG start-of-image marker');
  const parts: Uint8Array[] = [Uint8Array.of(0xff, SOI)];
  let pos = 2;
  let sawFrame = false;
  let sawScan = false;
  for (;;) {
    // Any number of 0xFF fill bytes may precede a marker (B.1.1.2).
    if (bytes[pos] !== 0xff) malformed(`expected a marker at byte ${pos}`);
    while (bytes[pos] === 0xff) pos += 1;
    if (pos >= bytes.length) malformed('the file ends inside a marker');
    const marker = bytes[pos]!;
    pos += 1;
    if (marker === EOI) {
      if (!sawFrame || !sawScan) malformed('the image ends before any frame or scan');
      parts.push(Uint8Array.of(0xff, EOI));
      return Buffer.concat(parts);
    }
    if (pos + 2 > bytes.length) malformed('the file ends inside a segment length');
    const length = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (length < 2 || pos + length > bytes.length) malformed(`segment 0x${marker.toString(16)} runs past the end of the file`);
    const segment = bytes.subarray(pos - 2, pos + length);
    const data = bytes.subarray(pos + 2, pos + length);
    pos += length;

    if (marker === SOS) {
      if (!sawFrame) malformed('a scan comes before the frame header');
      sawScan = true;
      const end = scanEnd(bytes, pos);
      parts.push(segment, bytes.subarray(pos, end));
      pos = end;
    } else if (isDecodingMarker(marker)) {
      if (marker !== 0xc4 && marker !== 0xcc && marker <= 0xcf) sawFrame = true;
      parts.push(segment);
    } else if (marker === APP0 && startsWithText(data, 'JFIF\0') && data.length >= 12) {
      // Version, density units and density; a thumbnail (which can hold anything) is dropped.
      parts.push(Uint8Array.of(0xff, APP0, 0, 16), data.subarray(0, 12), Uint8Array.of(0, 0));
    } else if (marker === APP14 && startsWithText(data, 'Adobe') && data.length === 12) {
      parts.push(segment);
    }
    // Everything else (APP1–APP15, COM, reserved markers) is metadata: dropped.
  }
}

/** The offset of the first marker after entropy-coded data: not a stuffed 0xFF00 nor a restart marker. */
function scanEnd(bytes: Uint8Array, from: number): number {
  let pos = from;
  for (;;) {
    const ff = bytes.indexOf(0xff, pos);
    if (ff === -1 || ff + 1 >= bytes.length) malformed('the file ends inside scan data');
    const next = bytes[ff + 1]!;
    // A stuffed zero byte or a restart marker belongs to the scan; anything
    // else (a marker, or a 0xFF fill byte before one) ends it.
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) return ff;
    pos = ff + 2;
  }
}

function startsWithText(data: Uint8Array, text: string): boolean {
  return Buffer.from(data.subarray(0, text.length)).toString('latin1') === text;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * PNG chunks kept, with the length each must have (undefined: any). Besides
 * the critical chunks: tRNS (transparency), and the fixed-size colour chunks
 * gAMA, cHRM and sRGB, which change how the pixels look and hold no text.
 * iCCP goes: a non-sRGB profile is converted by a re-encode instead.
 */
const PNG_KEEP: Record<string, number | undefined> = {
  IHDR: 13,
  PLTE: undefined,
  tRNS: undefined,
  gAMA: 4,
  cHRM: 32,
  sRGB: 1,
  IDAT: undefined,
  IEND: 0,
};

/**
 * A PNG with only the chunks in PNG_KEEP, ending at IEND: text (tEXt, iTXt,
 * zTXt), eXIf, iCCP, time, private and animation chunks (an APNG becomes its
 * default image) and anything after IEND are dropped. CRCs are not checked
 * here: the decode that follows does that. Bytes after the end of the
 * compressed image data, inside its last IDAT or in further IDATs, are
 * ignored by decoders without a warning, so they would travel untouched: such
 * a file is refused here (and re-encoded by the caller).
 */
export function stripPng(bytes: Uint8Array): Buffer {
  if (!PNG_SIGNATURE.equals(bytes.subarray(0, 8))) malformed('no PNG signature');
  const parts: Uint8Array[] = [PNG_SIGNATURE];
  const data: Uint8Array[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 12 > bytes.length) malformed('the file ends before IEND');
    const length = Buffer.from(bytes.buffer, bytes.byteOffset + pos, 4).readUInt32BE(0);
    const type = Buffer.from(bytes.subarray(pos + 4, pos + 8)).toString('latin1');
    const end = pos + 12 + length;
    if (end > bytes.length) malformed(`chunk ${type} runs past the end of the file`);
    if (pos === 8 && type !== 'IHDR') malformed('the first chunk is not IHDR');
    if (type in PNG_KEEP) {
      const expected = PNG_KEEP[type];
      if (expected === undefined || expected === length) parts.push(bytes.subarray(pos, end));
      else if (type === 'IHDR' || type === 'IEND') malformed(`${type} has the wrong length`);
    }
    if (type === 'IDAT') data.push(bytes.subarray(pos + 8, end - 4));
    pos = end;
    if (type === 'IEND') {
      if (data.length === 0) malformed('no image data');
      const header = Buffer.from(parts[1]!.buffer, parts[1]!.byteOffset, parts[1]!.byteLength);
      checkZlibEnd(data, header.readUInt32BE(8), header.readUInt32BE(12));
      return Buffer.concat(parts);
    }
  }
}

/**
 * Throws unless the IDAT payloads hold one zlib stream and nothing after it.
 * What it inflates to is capped at what the largest pixels of this size take
 * (8 bytes each, plus Adam7's filter bytes), so a zlib bomb fails here too.
 */
function checkZlibEnd(idat: Uint8Array[], width: number, height: number) {
  const stream = Buffer.concat(idat);
  let consumed: number;
  try {
    // The inflated pixels are dropped at once; only where the stream ends matters.
    const maxOutputLength = Math.min(height * (width * 8 + 15) + 1024, constants.MAX_LENGTH);
    consumed = (inflateSync(stream, { info: true, maxOutputLength }) as unknown as { engine: { bytesWritten: number } }).engine.bytesWritten;
  } catch {
    malformed('the image data is not a whole zlib stream');
  }
  if (consumed !== stream.length) malformed(`${stream.length - consumed} bytes follow the end of the image data`);
}

/** WebP chunks that carry pixels; VP8X is kept too, rewritten (see stripWebp). */
const WEBP_PIXELS = new Set(['VP8 ', 'VP8L', 'ALPH']);
// VP8X flags (RIFF container spec, "Extended File Format").
const VP8X_ICC = 0x20;
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;
const VP8X_ANIMATION = 0x02;

/**
 * A still WebP with only VP8X (its ICC, EXIF and XMP flags cleared), ALPH and
 * the VP8/VP8L bitstream; ICCP, EXIF, XMP, unknown chunks and bytes past the
 * RIFF size are dropped, and the RIFF size is rewritten. An animated WebP is
 * refused (the caller re-encodes its first frame).
 */
export function stripWebp(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buffer.toString('latin1', 0, 4) !== 'RIFF' || buffer.toString('latin1', 8, 12) !== 'WEBP') malformed('no RIFF/WEBP header');
  const riffEnd = 8 + buffer.readUInt32LE(4);
  if (riffEnd > buffer.length) malformed('the RIFF size runs past the end of the file');
  const parts: Buffer[] = [];
  let pos = 12;
  let sawBitstream = false;
  while (pos + 8 <= riffEnd) {
    const type = buffer.toString('latin1', pos, pos + 4);
    const length = buffer.readUInt32LE(pos + 4);
    const end = pos + 8 + length + (length % 2); // chunks are padded to an even size
    if (pos + 8 + length > riffEnd) malformed(`chunk ${type} runs past the RIFF size`);
    if (type === 'ANIM' || type === 'ANMF') malformed('an animated WebP');
    if (type === 'VP8X') {
      if (length < 10) malformed('VP8X is too short');
      const chunk = Buffer.from(buffer.subarray(pos, pos + 18));
      chunk.writeUInt32LE(10, 4);
      if (chunk[8]! & VP8X_ANIMATION) malformed('an animated WebP');
      chunk[8] = chunk[8]! & ~(VP8X_ICC | VP8X_EXIF | VP8X_XMP);
      parts.push(chunk);
    } else if (WEBP_PIXELS.has(type)) {
      if (type !== 'ALPH') sawBitstream = true;
      parts.push(buffer.subarray(pos, Math.min(end, riffEnd)));
      if (length % 2 === 1 && end > riffEnd) parts.push(Buffer.alloc(1));
    }
    pos = end;
  }
  if (!sawBitstream) malformed('no VP8/VP8L bitstream');
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * True when an ICC profile describes sRGB (its description names it, as the
 * profiles of cameras, phones, lcms and ICC's own do): dropping such a profile
 * changes nothing, since a decoder without one assumes sRGB anyway.
 */
export function isSrgbProfile(icc: Uint8Array): boolean {
  const description = iccDescription(Buffer.from(icc.buffer, icc.byteOffset, icc.length));
  return description !== undefined && /\bsRGB\b/i.test(description);
}

/** The profile's 'desc' tag, v2 (textDescriptionType) or v4 (multiLocalizedUnicodeType); undefined if unreadable. */
function iccDescription(icc: Buffer): string | undefined {
  if (icc.length < 132) return undefined;
  const count = icc.readUInt32BE(128);
  for (let i = 0; i < count && 132 + 12 * (i + 1) <= icc.length; i++) {
    const entry = 132 + 12 * i;
    if (icc.toString('latin1', entry, entry + 4) !== 'desc') continue;
    const offset = icc.readUInt32BE(entry + 4);
    const size = icc.readUInt32BE(entry + 8);
    if (offset + size > icc.length || size < 12) return undefined;
    const tag = icc.subarray(offset, offset + size);
    const type = tag.toString('latin1', 0, 4);
    if (type === 'desc') {
      const length = tag.readUInt32BE(8);
      return tag.toString('latin1', 12, Math.min(12 + length, tag.length)).replace(/\0+$/, '');
    }
    if (type === 'mluc' && tag.length >= 28) {
      // The first record: language, country, length, offset (from the tag's start); UTF-16BE.
      const length = tag.readUInt32BE(20);
      const start = tag.readUInt32BE(24);
      if (start + length > tag.length || length % 2 === 1) return undefined;
      return Buffer.from(tag.subarray(start, start + length)).swap16().toString('utf16le');
    }
    return undefined;
  }
  return undefined;
}
