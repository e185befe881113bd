import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../api/errors.js';
import { decodeBase64Image } from '../../api/images/decode-base64.js';
import { normaliseImage, type ImageLimits } from '../../api/images/normalise.js';
import { sniffImageFormat } from '../../api/images/sniff.js';
import { stripPng } from '../../api/images/strip-metadata.js';
import {
  animatedWebp,
  cmykJpeg,
  displayP3Jpeg,
  gifHugeScreen,
  jpegWithEverything,
  picture,
  PLANTED,
  png16,
  pngWithEverything,
  progressiveJpeg,
  webpWithEverything,
  zipBytes,
} from '../helpers/hostile-images.js';
import { bmpImage, phonePhoto, pngBombHeader, rotatedJpeg, solidImage, spoofedPng } from '../helpers/images.js';

const limits: ImageLimits = {
  maxInputBytes: 30_000_000,
  maxInputPixels: 8000 * 8000,
  maxImageBytes: 3_750_000,
  longEdge: 1568,
};

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return errorCodeOf(error);
  }
  return 'no error';
}

describe('sniffImageFormat', () => {
  it.each(['png', 'jpeg', 'gif', 'webp'] as const)('recognises %s from its bytes', async (format) => {
    expect(sniffImageFormat(await solidImage(format))).toBe(format);
  });

  it('recognises nothing else', () => {
    expect(sniffImageFormat(bmpImage())).toBeUndefined();
    expect(sniffImageFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageFormat(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('decodeBase64Image', () => {
  it('accepts raw base64 and data: URLs alike', () => {
    const bytes = Buffer.from([1, 2, 3, 250, 251, 252]);
    expect(decodeBase64Image(bytes.toString('base64'), 100, 'x')).toEqual(bytes);
    expect(decodeBase64Image(`data:image/png;base64,${bytes.toString('base64')}`, 100, 'x')).toEqual(bytes);
    expect(decodeBase64Image(bytes.toString('base64url'), 100, 'x')).toEqual(bytes);
  });

  it('refuses characters outside the alphabet instead of skipping them', () => {
    expect(() => decodeBase64Image('iVBOR!!w0KGgo=', 100, 'images[0]')).toThrow(/images\[0\]: not valid base64/);
  });

  it('refuses a non-base64 data: URL and an empty string', () => {
    expect(() => decodeBase64Image('data:image/png,abc', 100, 'x')).toThrow(/base64-encoded/);
    expect(() => decodeBase64Image('  ', 100, 'x')).toThrow(/empty/);
  });

  it('refuses oversize input from its length, before decoding', () => {
    try {
      decodeBase64Image('A'.repeat(4000), 1000, 'x');
      expect.unreachable();
    } catch (error) {
      expect(errorCodeOf(error)).toBe('IMAGE_TOO_LARGE');
    }
  });
});

describe('normaliseImage', () => {
  it('passes a small supported image through without re-encoding, only its metadata removed', async () => {
    const png = await solidImage('png', 100, 50);
    const image = await normaliseImage(png, limits, 'x');
    // sharp writes a pHYs chunk (pixel density): not pixels, so it goes; the rest is byte for byte.
    expect(image.bytes).toEqual(stripPng(png));
    expect(image.bytes.includes(Buffer.from('pHYs'))).toBe(false);
    expect(image).toMatchObject({ format: 'png', mediaType: 'image/png', width: 100, height: 50, reencoded: false });
    const bare = image.bytes;
    expect((await normaliseImage(bare, limits, 'x')).bytes).toEqual(bare);
  });

  it('downscales a 12-megapixel phone photo to 1568 px and under 3.75 MB', async () => {
    const photo = await phonePhoto();
    expect(photo.length).toBeGreaterThan(3_750_000); // Bedrock would refuse it as is
    const image = await normaliseImage(photo, limits, 'x');
    expect(image).toMatchObject({ format: 'jpeg', width: 1568, height: 1176, reencoded: true });
    expect(image.bytes.length).toBeLessThanOrEqual(3_750_000);
    expect(image.original).toMatchObject({ width: 4032, height: 3024, byteSize: photo.length });
    const meta = await sharp(image.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([1568, 1176]);
  });

  it('applies EXIF orientation so the model sees the picture upright', async () => {
    const image = await normaliseImage(await rotatedJpeg(80, 40), limits, 'x');
    expect([image.width, image.height]).toEqual([40, 80]);
    expect((await sharp(image.bytes).metadata()).orientation ?? 1).toBe(1);
  });

  it('sends the first frame of a GIF that needs resizing as PNG', async () => {
    const image = await normaliseImage(await solidImage('gif', 2000, 100), limits, 'x');
    expect(image).toMatchObject({ format: 'png', mediaType: 'image/png', width: 1568 });
  });

  it('refuses formats Bedrock does not take, naming what the file is', async () => {
    await expect(normaliseImage(bmpImage(), limits, 'images[0]')).rejects.toThrow(/images\[0\]: the file is a BMP image/);
    expect(await codeOf(normaliseImage(bmpImage(), limits, 'x'))).toBe('IMAGE_UNSUPPORTED');
    expect(await codeOf(normaliseImage(Buffer.from('hello, world'), limits, 'x'))).toBe('IMAGE_UNSUPPORTED');
  });

  it('refuses a spoofed file that only starts like a PNG', async () => {
    expect(await codeOf(normaliseImage(spoofedPng(), limits, 'x'))).toBe('IMAGE_CORRUPT');
  });

  it('refuses a truncated JPEG instead of passing it on', async () => {
    const jpeg = await solidImage('jpeg', 200, 200, '#808000');
    expect(await codeOf(normaliseImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), limits, 'x'))).toBe('IMAGE_CORRUPT');
  });

  it('refuses the same truncated image sent twice at once, every time', async () => {
    // Two requests with one truncated file in flight together: the earlier
    // check, sharp's stats(), let one of the pair through every few rounds.
    for (const format of ['jpeg', 'png'] as const) {
      const image = await solidImage(format, 300, 200, '#336699');
      const truncated = image.subarray(0, Math.floor(image.length * 0.6));
      for (let round = 0; round < 10; round++) {
        const codes = await Promise.all([1, 2].map(() => codeOf(normaliseImage(truncated, limits, 'x'))));
        expect(codes).toEqual(['IMAGE_CORRUPT', 'IMAGE_CORRUPT']);
      }
    }
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = pngBombHeader(30_000, 30_000);
    const before = process.memoryUsage().rss;
    expect(await codeOf(normaliseImage(bomb, limits, 'x'))).toBe('IMAGE_TOO_LARGE');
    // 900 megapixels decoded would take gigabytes.
    expect(process.memoryUsage().rss - before).toBeLessThan(200_000_000);
  });

  it('refuses an input file over the byte limit', async () => {
    const png = await solidImage('png', 100, 100);
    expect(await codeOf(normaliseImage(png, { ...limits, maxInputBytes: 10 }, 'x'))).toBe('IMAGE_TOO_LARGE');
  });
});

const planted = (bytes: Buffer) => Object.values(PLANTED).filter((text) => bytes.includes(Buffer.from(text, 'latin1')));

describe('normaliseImage: only pixels leave', () => {

  it.each([
    ['JPEG', jpegWithEverything, 'jpeg'],
    ['PNG', pngWithEverything, 'png'],
    ['WebP', webpWithEverything, 'webp'],
  ] as const)('sends a %s that fits without metadata or trailing bytes, and without re-encoding it', async (_, make, format) => {
    const input = await make();
    const image = await normaliseImage(input, limits, 'x');
    expect(image).toMatchObject({ format, reencoded: false, width: 96, height: 64 });
    expect(planted(image.bytes)).toEqual([]);
    const metadata = await sharp(image.bytes).metadata();
    expect([metadata.exif, metadata.xmp, metadata.icc]).toEqual([undefined, undefined, undefined]);
    expect(await sharp(image.bytes).raw().toBuffer()).toEqual(await sharp(input).raw().toBuffer());
  });

  it('converts a Display P3 image to sRGB instead of dropping its profile', async () => {
    const p3 = await displayP3Jpeg();
    const image = await normaliseImage(p3, limits, 'x');
    expect(image.reencoded).toBe(true);
    expect((await sharp(image.bytes).metadata()).icc).toBeUndefined();
    // What a viewer shows for the P3 original, as sRGB: the same as what is sent, within JPEG noise.
    const shown = await sharp(p3).toColourspace('srgb').raw().toBuffer();
    const sent = await sharp(image.bytes).raw().toBuffer();
    const untagged = await sharp(p3).keepIccProfile().raw().toBuffer();
    const distance = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    expect(distance(sent, shown)).toBeLessThan(3);
    expect(distance(untagged, shown)).toBeGreaterThan(3);
  });

  it.each(['png', 'webp'] as const)('converts a Display P3 %s too, and drops an sRGB profile without re-encoding', async (format) => {
    const base = sharp({ create: { width: 16, height: 16, channels: 3, background: '#00ff00' } });
    const p3 = await base.clone().withIccProfile('p3').toFormat(format).toBuffer();
    const converted = await normaliseImage(p3, limits, 'x');
    expect(converted).toMatchObject({ format, reencoded: true });
    expect((await sharp(converted.bytes).metadata()).icc).toBeUndefined();
    const srgb = await base.clone().withIccProfile('srgb').toFormat(format).toBuffer();
    const stripped = await normaliseImage(srgb, limits, 'x');
    expect(stripped).toMatchObject({ format, reencoded: false });
    expect((await sharp(stripped.bytes).metadata()).icc).toBeUndefined();
  });

  it('keeps a greyscale JPEG and an interlaced PNG lossless', async () => {
    const grey = await (await picture()).greyscale().jpeg().toBuffer();
    const interlaced = await (await picture()).png({ progressive: true }).toBuffer();
    for (const input of [grey, interlaced]) {
      const image = await normaliseImage(input, limits, 'x');
      expect(image.reencoded).toBe(false);
      expect(await sharp(image.bytes).raw().toBuffer()).toEqual(await sharp(input).raw().toBuffer());
    }
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const image = await normaliseImage(await cmykJpeg(), limits, 'x');
    expect(image.reencoded).toBe(true);
    expect((await sharp(image.bytes).metadata()).space).toBe('srgb');
  });

  it('keeps a 16-bit PNG lossless', async () => {
    const deep = await png16();
    const image = await normaliseImage(deep, limits, 'x');
    expect(image.reencoded).toBe(false);
    expect(await sharp(image.bytes).raw({ depth: 'ushort' }).toBuffer()).toEqual(await sharp(deep).raw({ depth: 'ushort' }).toBuffer());
  });

  it('sends the first frame of an animated WebP, without its EXIF', async () => {
    const image = await normaliseImage(await animatedWebp(), limits, 'x');
    expect(image).toMatchObject({ format: 'webp', width: 40, height: 30, reencoded: true });
    const metadata = await sharp(image.bytes).metadata();
    expect([metadata.pages ?? 1, metadata.exif]).toEqual([1, undefined]);
  });

  it('sends a GIF as its re-encoded first frame, at the frame size whatever its logical screen says', async () => {
    const gif = await gifHugeScreen();
    expect(gif.readUInt16LE(6)).toBe(65535);
    const image = await normaliseImage(gif, limits, 'x');
    expect(image).toMatchObject({ format: 'png', mediaType: 'image/png', width: 1, height: 1, reencoded: true });
    const metadata = await sharp(image.bytes).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 1, 1]);
    // Even a small, plain GIF that fits is re-encoded.
    expect((await normaliseImage(await solidImage('gif', 20, 10), limits, 'x')).format).toBe('png');
  });

  it.each(['jpeg', 'png', 'webp'] as const)('still refuses a truncated %s, with or without bytes appended', async (format) => {
    const image = await (await picture(300, 200)).toFormat(format).toBuffer();
    const truncated = image.subarray(0, Math.floor(image.length * 0.6));
    expect(await codeOf(normaliseImage(truncated, limits, 'x'))).toBe('IMAGE_CORRUPT');
    expect(await codeOf(normaliseImage(Buffer.concat([truncated, zipBytes()]), limits, 'x'))).toBe('IMAGE_CORRUPT');
  });

  it('sends a progressive JPEG that fits with its scans as they came', async () => {
    const jpeg = await progressiveJpeg(400, 300);
    const image = await normaliseImage(jpeg, limits, 'x');
    expect(image.reencoded).toBe(false);
    expect(image.bytes).toEqual(jpeg);
  });
});

describe('normaliseImage: appended bytes', () => {
  it('judges the size after stripping, so 3 MB of junk after a small image does not force a re-encode', async () => {
    const jpeg = await (await picture()).jpeg().toBuffer();
    const padded = Buffer.concat([jpeg, Buffer.alloc(3_000_000, 0x41)]);
    const image = await normaliseImage(padded, { ...limits, maxImageBytes: 1_000_000 }, 'x');
    expect(image.reencoded).toBe(false);
    expect(image.bytes.length).toBeLessThan(jpeg.length + 1);
  });
});

describe('normaliseImage on damaged files', () => {
  it('re-encodes a JPEG whose scan data decodes only with warnings, such as text spliced into it', async () => {
    const input = await jpegWithEverything();
    const scan = input.indexOf(Buffer.from([0xff, 0xda]));
    const xmp = input.indexOf(Buffer.from(PLANTED.xmp));
    // The scan's first bytes, then the tail of the file from inside the XMP segment: the caption lands in the scan data.
    const spliced = Buffer.concat([input.subarray(0, scan + 60), input.subarray(xmp - 20)]);
    const image = await normaliseImage(spliced, limits, 'x');
    expect(image.reencoded).toBe(true);
    expect(planted(image.bytes)).toEqual([]);
  });

  it('answers every damaged file with a clean image or a gateway error code, never anything else', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const inputs = [await jpegWithEverything(), await pngWithEverything(), await webpWithEverything(), await progressiveJpeg(160, 120)];
    const outcomes = new Set<string>();
    for (let round = 0; round < 160; round++) {
      const damaged = Buffer.from(inputs[round % inputs.length]!);
      const kind = round % 3;
      if (kind === 0) for (let k = 0; k < 4; k++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      const bytes =
        kind === 1
          ? damaged.subarray(0, Math.floor(random() * damaged.length))
          : kind === 2
            ? Buffer.concat([damaged.subarray(0, Math.floor(random() * damaged.length)), damaged.subarray(Math.floor(random() * damaged.length))])
            : damaged;
      try {
        const image = await normaliseImage(bytes, limits, 'x');
        expect(planted(image.bytes)).toEqual([]);
        outcomes.add('ok');
      } catch (error) {
        expect(['IMAGE_CORRUPT', 'IMAGE_UNSUPPORTED', 'IMAGE_TOO_LARGE'], String(error)).toContain(errorCodeOf(error));
        outcomes.add(errorCodeOf(error)!);
      }
    }
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('IMAGE_CORRUPT');
  });
});
