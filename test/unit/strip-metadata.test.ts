import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  isSrgbProfile,
  MalformedImageError,
  stripJpeg,
  stripPng,
  stripWebp,
} from '../../api/images/strip-metadata.js';
import {
  animatedWebp,
  cmykJpeg,
  jpegWithEverything,
  picture,
  PLANTED,
  png16,
  pngChunk,
  pngWithEverything,
  progressiveJpeg,
  webpWithEverything,
} from '../helpers/hostile-images.js';

/** The decoded pixels: what must not change. */
const pixels = (bytes: Buffer) => sharp(bytes).raw().toBuffer();

function leaks(bytes: Buffer): string[] {
  return Object.values(PLANTED).filter((text) => bytes.includes(Buffer.from(text, 'latin1')));
}

/** The JPEG marker bytes of each segment, in order, up to the first scan. */
function jpegMarkers(bytes: Buffer): number[] {
  const markers: number[] = [];
  let pos = 2;
  while (pos < bytes.length && bytes[pos] === 0xff) {
    const marker = bytes[pos + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    pos += 2 + bytes.readUInt16BE(pos + 2);
  }
  return markers;
}

function pngChunkTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(pos);
    types.push(bytes.toString('latin1', pos + 4, pos + 8));
    pos += 12 + length;
  }
  return types;
}

function webpChunkTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const length = bytes.readUInt32LE(pos + 4);
    types.push(bytes.toString('latin1', pos, pos + 4));
    pos += 8 + length + (length % 2);
  }
  return types;
}

function webpChunk(bytes: Buffer, type: string): Buffer | undefined {
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const length = bytes.readUInt32LE(pos + 4);
    if (bytes.toString('latin1', pos, pos + 4) === type) return bytes.subarray(pos, pos + 8 + length);
    pos += 8 + length + (length % 2);
  }
  return undefined;
}

describe('stripJpeg', () => {
  it('drops EXIF, XMP, the COM comment and everything after EOI, keeping the pixels bit for bit', async () => {
    const input = await jpegWithEverything();
    expect(leaks(input).length).toBeGreaterThan(5);
    const out = stripJpeg(input);
    expect(leaks(out)).toEqual([]);
    expect(out.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(jpegMarkers(out).filter((m) => (m >= 0xe1 && m <= 0xef) || m === 0xfe)).toEqual([]);
    expect(await pixels(out)).toEqual(await pixels(input));
    const metadata = await sharp(out).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.comments ?? []).toEqual([]);
  });

  it('is idempotent, and a clean JPEG only loses nothing', async () => {
    const once = stripJpeg(await jpegWithEverything());
    expect(stripJpeg(once)).toEqual(once);
  });

  it('keeps every scan of a progressive JPEG (tables between scans included)', async () => {
    const input = await progressiveJpeg(300, 200);
    const out = stripJpeg(Buffer.concat([input, Buffer.from('junk')]));
    expect(out.length).toBe(input.length);
    expect(await pixels(out)).toEqual(await pixels(input));
  });

  it('keeps the Adobe APP14 segment a CMYK JPEG needs for its colours', async () => {
    const input = await cmykJpeg();
    const out = stripJpeg(input);
    expect(jpegMarkers(out)).toContain(0xee);
    expect(await pixels(out)).toEqual(await pixels(input));
  });

  it('keeps JFIF density but drops a JFIF thumbnail', async () => {
    const jpeg = await (await picture()).jpeg().toBuffer();
    // A JFIF APP0 with a 1×1 RGB thumbnail carrying text in its "pixels".
    const jfif = Buffer.concat([Buffer.from('JFIF\0\x01\x02\x00\x00\x01\x00\x01\x01\x01', 'latin1'), Buffer.from('SEC')]);
    const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0, jfif.length + 2]), jfif]);
    const withThumb = Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
    const out = stripJpeg(withThumb);
    expect(out.includes(Buffer.from('SEC'))).toBe(false);
    expect(out.subarray(2, 20)).toEqual(Buffer.from('\xff\xe0\x00\x10JFIF\0\x01\x02\x00\x00\x01\x00\x01\x00\x00', 'latin1'));
    expect(await pixels(out)).toEqual(await pixels(jpeg));
  });

  it('reads segments by their length and scan data up to the next real marker (stuffed bytes, restarts, fill bytes)', () => {
    const seg = (marker: number, ...data: number[]) => [0xff, marker, 0, data.length + 2, ...data];
    const frame = [
      ...seg(0xdb, 0, 1, 2, 3), // DQT
      ...seg(0xc0, 8, 0, 1, 0, 1, 1, 1, 0x11, 0), // SOF0
      ...seg(0xc4, 0, 1, 2), // DHT
      ...seg(0xdd, 0, 4), // DRI
    ];
    // Scan data holding a stuffed 0xFF00 and restart markers, then fill bytes before EOI.
    const scan = [...seg(0xda, 1, 1, 0, 0, 0x3f, 0), 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, 0x78, 0xff, 0xff];
    // An APP1 whose payload looks like markers (an embedded EXIF thumbnail: SOI ... EOI).
    const app1 = seg(0xe1, 0x45, 0x78, 0x69, 0x66, 0, 0, 0xff, 0xd8, 0xff, 0xd9);
    const com = seg(0xfe, ...Buffer.from(PLANTED.comment));
    const input = Buffer.from([0xff, 0xd8, ...app1, ...frame, ...com, ...scan, 0xff, 0xd9, ...Buffer.from('PK\x03\x04')]);
    // Fill bytes carry nothing: they go too.
    const expected = Buffer.from([0xff, 0xd8, ...frame, ...scan.slice(0, -2), 0xff, 0xd9]);
    expect(stripJpeg(input)).toEqual(expected);
  });

  it('refuses what is not a whole JPEG, so the caller re-encodes or rejects it', async () => {
    const jpeg = await (await picture()).jpeg().toBuffer();
    expect(() => stripJpeg(jpeg.subarray(0, jpeg.length - 100))).toThrow(MalformedImageError);
    expect(() => stripJpeg(jpeg.subarray(0, 300))).toThrow(MalformedImageError);
    expect(() => stripJpeg(Buffer.from('not a jpeg'))).toThrow(MalformedImageError);
    // A segment length pointing past the end.
    const bad = Buffer.from(jpeg);
    bad.writeUInt16BE(0xfff0, 4);
    expect(() => stripJpeg(bad)).toThrow(MalformedImageError);
  });
});

describe('stripPng', () => {
  it('drops iCCP, eXIf, tEXt, iTXt, zTXt and everything after IEND, keeping the pixels', async () => {
    const input = await pngWithEverything();
    expect(pngChunkTypes(input)).toEqual(expect.arrayContaining(['iCCP', 'eXIf', 'tEXt', 'iTXt', 'zTXt']));
    const out = stripPng(input);
    expect(leaks(out)).toEqual([]);
    expect(new Set(pngChunkTypes(out))).toEqual(new Set(['IHDR', 'IDAT', 'IEND']));
    expect(out.subarray(-8, -4).toString('latin1')).toBe('IEND');
    expect(await pixels(out)).toEqual(await pixels(input));
  });

  it('keeps a palette and its transparency, and 16-bit samples', async () => {
    const rgba = await sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
      .png({ palette: true })
      .toBuffer();
    expect(pngChunkTypes(rgba)).toEqual(expect.arrayContaining(['PLTE', 'tRNS']));
    expect(pngChunkTypes(stripPng(rgba))).toEqual(expect.arrayContaining(['PLTE', 'tRNS']));
    expect(await pixels(stripPng(rgba))).toEqual(await pixels(rgba));

    const deep = await png16();
    const out = stripPng(deep);
    expect((await sharp(out).metadata()).depth).toBe('ushort');
    expect(await sharp(out).raw({ depth: 'ushort' }).toBuffer()).toEqual(await sharp(deep).raw({ depth: 'ushort' }).toBuffer());
  });

  it('keeps gAMA/cHRM/sRGB only with their fixed sizes (no room for text)', async () => {
    const png = await (await picture(8, 8)).png().toBuffer();
    const gama = pngChunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f]));
    const fatGama = pngChunk('gAMA', Buffer.from('0000 long text in a colour chunk'));
    const input = Buffer.concat([png.subarray(0, 33), gama, fatGama, png.subarray(33)]);
    const out = stripPng(input);
    expect(pngChunkTypes(out).filter((t) => t === 'gAMA')).toHaveLength(1);
    expect(out.includes(Buffer.from('long text'))).toBe(false);
  });

  it('drops APNG animation chunks, leaving the default image', async () => {
    const png = await (await picture(16, 8)).png().toBuffer();
    const actl = pngChunk('acTL', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
    const fctl = pngChunk('fcTL', Buffer.alloc(26));
    const apng = Buffer.concat([png.subarray(0, 33), actl, fctl, png.subarray(33)]);
    const out = stripPng(apng);
    expect(pngChunkTypes(out).filter((type) => type === 'acTL' || type === 'fcTL')).toEqual([]);
    expect(await pixels(out)).toEqual(await pixels(png));
  });

  it('refuses bytes hidden after the end of the compressed image data, in the last IDAT or in another', async () => {
    const png = await (await picture()).png().toBuffer();
    // The PNG as what comes before its image data, the zlib stream (all IDATs together), and IEND.
    const first = png.indexOf('IDAT', 8, 'latin1') - 4;
    const iend = png.indexOf('IEND', 8, 'latin1') - 4;
    const before = png.subarray(0, first);
    const after = png.subarray(iend);
    const idats: Buffer[] = [];
    for (let pos = first; pos < iend; pos += 12 + png.readUInt32BE(pos)) idats.push(png.subarray(pos + 8, pos + 8 + png.readUInt32BE(pos)));
    const zlib = Buffer.concat(idats);
    const hidden = Buffer.from(PLANTED.comment, 'latin1');
    // Decoders stop at the end of the zlib stream and never look further.
    const inLastIdat = Buffer.concat([before, pngChunk('IDAT', Buffer.concat([zlib, hidden])), after]);
    const inExtraIdat = Buffer.concat([before, pngChunk('IDAT', zlib), pngChunk('IDAT', hidden), after]);
    for (const input of [inLastIdat, inExtraIdat]) {
      expect(await pixels(input)).toEqual(await pixels(png));
      expect(() => stripPng(input)).toThrow(MalformedImageError);
    }
    // A stream that inflates far past what its pixels need is refused, not inflated.
    const bomb = Buffer.concat([before, pngChunk('IDAT', deflateSync(Buffer.alloc(2_000_000))), after]);
    expect(() => stripPng(bomb)).toThrow(MalformedImageError);
    // Split across IDATs with nothing after it, the stream is fine.
    const split = Buffer.concat([before, pngChunk('IDAT', zlib.subarray(0, 10)), pngChunk('IDAT', zlib.subarray(10)), after]);
    expect(await pixels(stripPng(split))).toEqual(await pixels(png));
  });

  it('refuses a PNG cut before IEND or without IHDR first', async () => {
    const png = await (await picture()).png().toBuffer();
    expect(() => stripPng(png.subarray(0, png.length - 20))).toThrow(MalformedImageError);
    expect(() => stripPng(Buffer.concat([png.subarray(0, 8), pngChunk('tEXt', Buffer.from('a\0b')), png.subarray(8)]))).toThrow(
      MalformedImageError,
    );
  });
});

describe('stripWebp', () => {
  it('drops EXIF and XMP chunks, clears their VP8X flags, rewrites the RIFF size and cuts what follows it', async () => {
    const input = await webpWithEverything();
    expect(webpChunkTypes(input)).toEqual(expect.arrayContaining(['VP8X', 'EXIF', 'XMP ']));
    const out = stripWebp(input);
    expect(leaks(out)).toEqual([]);
    expect(webpChunkTypes(out)).toEqual(['VP8X', 'VP8 ']);
    expect(out[20]! & 0x2c).toBe(0); // ICC, EXIF and XMP flags
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect(await pixels(out)).toEqual(await pixels(input));
    const metadata = await sharp(out).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
  });

  it('drops an ICC profile and keeps lossless and alpha bitstreams', async () => {
    const rgba = sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.25 } } });
    const lossy = await rgba.clone().webp().withIccProfile('p3').toBuffer();
    expect(webpChunkTypes(lossy)).toEqual(expect.arrayContaining(['ICCP', 'ALPH']));
    expect(webpChunkTypes(stripWebp(lossy))).toEqual(['VP8X', 'ALPH', 'VP8 ']);
    // (Not compared by decoding: sharp converts the tagged original's colours on decode.)
    for (const chunk of ['ALPH', 'VP8 ']) expect(webpChunk(stripWebp(lossy), chunk)).toEqual(webpChunk(lossy, chunk));
    const lossless = await rgba.clone().webp({ lossless: true }).toBuffer();
    expect(await pixels(stripWebp(lossless))).toEqual(await pixels(lossless));
  });

  it('refuses an animated WebP, which must be re-encoded to its first frame', async () => {
    const animated = await animatedWebp();
    expect(() => stripWebp(animated)).toThrow(MalformedImageError);
  });

  it('refuses a RIFF size past the end of the file', async () => {
    const webp = Buffer.from(await (await picture()).webp().toBuffer());
    webp.writeUInt32LE(webp.length * 2, 4);
    expect(() => stripWebp(webp)).toThrow(MalformedImageError);
  });
});

describe('isSrgbProfile', () => {
  async function profileOf(name: string): Promise<Buffer> {
    const jpeg = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).withIccProfile(name).jpeg().toBuffer();
    return (await sharp(jpeg).metadata()).icc!;
  }

  it('tells sRGB from Display P3 and other profiles by their description', async () => {
    expect(isSrgbProfile(await profileOf('srgb'))).toBe(true);
    expect(isSrgbProfile(await profileOf('p3'))).toBe(false);
    expect(isSrgbProfile(await profileOf('cmyk'))).toBe(false);
  });

  it('treats an unreadable profile as not sRGB', () => {
    expect(isSrgbProfile(Buffer.alloc(10))).toBe(false);
    expect(isSrgbProfile(Buffer.from('sRGB'.repeat(100)))).toBe(false);
  });
});
