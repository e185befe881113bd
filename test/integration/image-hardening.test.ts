import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBedrock } from '../../api/local/endpoint.js';
import type { ConverseBody, MessagesBody } from '../../api/local/image-inspector.js';
import { startGateway } from '../helpers/gateway.js';
import { postGraphQL, type Result } from '../helpers/graphql.js';
import {
  displayP3Jpeg,
  gifHugeScreen,
  jpegWithEverything,
  PLANTED,
  pngWithEverything,
  progressiveJpeg,
  webpWithEverything,
} from '../helpers/hostile-images.js';
import { phonePhoto, rotatedJpeg } from '../helpers/images.js';

const MUTATION = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      images { mediaType width height byteSize reencoded }
    }
  }
`;

type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** The image bytes the (local) Bedrock endpoint received in its latest request. */
function receivedImages(upstream: LocalBedrock): { mediaType: string; bytes: Buffer }[] {
  const content = (upstream.requests.at(-1)!.body as MessagesBody).messages![0]!.content! as unknown as {
    type: string;
    source?: { media_type: string; data: string };
  }[];
  return content
    .filter((block) => block.type === 'image')
    .map((block) => ({ mediaType: block.source!.media_type, bytes: Buffer.from(block.source!.data, 'base64') }));
}

async function sendImages(gateway: Gateway, ...images: Buffer[]) {
  return postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: images.map((b) => ({ base64: b.toString('base64') })) } });
}

const planted = (bytes: Buffer) => Object.values(PLANTED).filter((text) => bytes.includes(Buffer.from(text, 'latin1')));

/** The offset just past the image's own end marker: EOI, IEND, or the RIFF size. */
function imageEnd(bytes: Buffer, mediaType: string): number {
  if (mediaType === 'image/jpeg') return bytes.lastIndexOf(Buffer.from([0xff, 0xd9])) + 2;
  if (mediaType === 'image/png') return bytes.lastIndexOf(Buffer.from('IEND')) + 8;
  return 8 + bytes.readUInt32LE(4);
}

describe('what reaches Bedrock: only pixels', () => {
  let gateway: Gateway;
  let upstream: LocalBedrock;

  beforeAll(async () => {
    gateway = await startGateway();
    upstream = gateway.localBedrock!;
  });
  afterAll(() => gateway.stop());

  it('strips EXIF/GPS, XMP, comments, text and ICC chunks and trailing bytes from a JPEG, a PNG and a WebP', async () => {
    const inputs = [await jpegWithEverything(), await pngWithEverything(), await webpWithEverything()];
    for (const input of inputs) expect(planted(input).length).toBeGreaterThan(2);
    const result = await sendImages(gateway, ...inputs);
    expect(result.errors).toBeUndefined();
    const received = receivedImages(upstream);
    expect(received.map((image) => image.mediaType)).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    for (const [i, { bytes, mediaType }] of received.entries()) {
      expect(planted(bytes), mediaType).toEqual([]);
      expect(imageEnd(bytes, mediaType), mediaType).toBe(bytes.length);
      const metadata = await sharp(bytes).metadata();
      expect([metadata.exif, metadata.xmp, metadata.icc, metadata.comments?.length ?? 0], mediaType).toEqual([undefined, undefined, undefined, 0]);
      expect(await sharp(bytes).raw().toBuffer()).toEqual(await sharp(inputs[i]!).raw().toBuffer());
    }
    expect(result.data!.describeImage.images).toEqual(
      received.map(({ mediaType, bytes }) => ({ mediaType, width: 96, height: 64, byteSize: bytes.length, reencoded: false })),
    );
  });

  it('strips an uploaded image the same way', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: 'mutation ($file: File!) { uploadImage(file: $file) { id } }', variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([new Uint8Array(await jpegWithEverything())]), 'photo.jpg');
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
    const uploaded = (await response.json()) as Result;
    expect(uploaded.errors).toBeUndefined();
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: [{ uploadId: uploaded.data!.uploadImage.id }] } });
    expect(result.errors).toBeUndefined();
    const [image] = receivedImages(upstream);
    expect(planted(image!.bytes)).toEqual([]);
    expect(imageEnd(image!.bytes, 'image/jpeg')).toBe(image!.bytes.length);
  });

  it('sends an EXIF-rotated JPEG upright, without the orientation tag', async () => {
    await sendImages(gateway, await rotatedJpeg(80, 40));
    const [image] = receivedImages(upstream);
    const metadata = await sharp(image!.bytes).metadata();
    expect([metadata.width, metadata.height, metadata.orientation ?? 1, metadata.exif]).toEqual([40, 80, 1, undefined]);
  });

  it('converts a Display P3 image to sRGB instead of sending or silently dropping its profile', async () => {
    const p3 = await displayP3Jpeg();
    await sendImages(gateway, p3);
    const [image] = receivedImages(upstream);
    expect((await sharp(image!.bytes).metadata()).icc).toBeUndefined();
    const [r, g, b] = await sharp(image!.bytes).raw().toBuffer();
    const [sr, sg, sb] = await sharp(p3).toColourspace('srgb').raw().toBuffer();
    expect(Math.abs(r! - sr!) + Math.abs(g! - sg!) + Math.abs(b! - sb!)).toBeLessThan(10);
    // The P3 numbers as they are would be the wrong colour in sRGB.
    const [pr, pg, pb] = await sharp(p3).keepIccProfile().raw().toBuffer();
    expect(Math.abs(pr! - sr!) + Math.abs(pg! - sg!) + Math.abs(pb! - sb!)).toBeGreaterThan(10);
  });

  it('sends a GIF whose logical screen is 65535×65535 as its 1×1 first frame, re-encoded as PNG', async () => {
    const gif = await gifHugeScreen();
    const result = await sendImages(gateway, gif);
    expect(result.errors).toBeUndefined();
    const [image] = receivedImages(upstream);
    expect(image!.mediaType).toBe('image/png');
    expect(image!.bytes.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    const metadata = await sharp(image!.bytes).metadata();
    expect([metadata.width, metadata.height]).toEqual([1, 1]);
    expect(result.data!.describeImage.images[0]).toMatchObject({ mediaType: 'image/png', width: 1, height: 1, reencoded: true });
  });
});

describe('what reaches Bedrock through Converse', () => {
  it('is the same stripped image', async () => {
    const gateway = await startGateway({ LOCAL_MODEL_API: 'converse' });
    try {
      const result = await sendImages(gateway, await jpegWithEverything(), await gifHugeScreen());
      expect(result.errors).toBeUndefined();
      const request = gateway.localBedrock!.requests.at(-1)!;
      expect(request.operation).toBe('converse');
      const images = (request.body as ConverseBody).messages![0]!.content!.flatMap((block) => (block.image ? [block.image] : []));
      expect(images.map((image) => image.format)).toEqual(['jpeg', 'png']);
      for (const image of images) {
        const bytes = Buffer.from(image.source!.bytes!, 'base64');
        expect(planted(bytes)).toEqual([]);
        expect(imageEnd(bytes, `image/${image.format}`)).toBe(bytes.length);
      }
    } finally {
      await gateway.stop();
    }
  });
});

describe('the decode queue behind the gateway', () => {
  /** Takes the queue's only slot, as another request's decode would, until released. */
  function holdTheQueue(gateway: Gateway) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const done = gateway.services.decodeQueue!.run(1, () => held);
    return async () => {
      release();
      await done;
    };
  }

  it('answers SERVER_BUSY, with no upstream call, when an image waits longer than IMAGE_QUEUE_TIMEOUT_MS', async () => {
    const gateway = await startGateway({ IMAGE_DECODE_CONCURRENCY: '1', IMAGE_QUEUE_TIMEOUT_MS: '50' });
    try {
      const photo = await phonePhoto(1200, 900);
      const release = holdTheQueue(gateway);
      const result = await sendImages(gateway, photo);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'SERVER_BUSY', retryable: true });
      expect(result.errors![0]!.message).toMatch(/busy.*Retry/s);
      expect(gateway.localBedrock!.requests).toHaveLength(0);
      await release();
      expect(gateway.services.decodeQueue!.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
      expect((await sendImages(gateway, photo)).errors).toBeUndefined();
    } finally {
      await gateway.stop();
    }
  });

  it('prepares the 20 images of one request without their waiting on each other timing out', async () => {
    // Every decode alone takes longer than the timeout would allow 19 of them to wait in line.
    const gateway = await startGateway({ IMAGE_DECODE_CONCURRENCY: '1', IMAGE_QUEUE_TIMEOUT_MS: '100' });
    try {
      const photo = await progressiveJpeg(3000, 2000);
      const result = await sendImages(gateway, ...Array.from({ length: 20 }, () => photo));
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(result.data!.describeImage.images).toHaveLength(20);
    } finally {
      await gateway.stop();
    }
  });

  it('takes the images of an abandoned request out of the queue, never decoding them', async () => {
    const gateway = await startGateway({ IMAGE_DECODE_CONCURRENCY: '1', IMAGE_QUEUE_TIMEOUT_MS: '0' });
    try {
      const photo = await phonePhoto(1200, 900);
      const queue = gateway.services.decodeQueue!;
      const release = holdTheQueue(gateway);
      const controller = new AbortController();
      const request = sendImagesAbortable(gateway, [photo, photo, photo], controller.signal);
      await expect.poll(() => queue.stats.waiting, { interval: 2, timeout: 10_000 }).toBe(1);
      controller.abort();
      await expect(request).rejects.toThrow();
      await expect.poll(() => queue.stats.waiting, { interval: 2 }).toBe(0);
      // Only the slot held here is still taken: the abandoned images never held any budget.
      expect(queue.stats).toEqual({ running: 1, pixels: 1, waiting: 0 });
      await release();
      expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
      expect(gateway.localBedrock!.requests).toHaveLength(0);
    } finally {
      await gateway.stop();
    }
  });
});

function sendImagesAbortable(gateway: Gateway, images: Buffer[], signal: AbortSignal) {
  return postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: images.map((b) => ({ base64: b.toString('base64') })) } }, { signal });
}
