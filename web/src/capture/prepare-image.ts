import { encodeJpeg, fitLongEdge, type Size } from './downscale';

/** An image ready to send: downscaled, JPEG-encoded, with what it was before. */
export interface PreparedImage {
  blob: Blob;
  /** An object URL of `blob`, for thumbnails; lives as long as the page. */
  url: string;
  width: number;
  height: number;
  original: Size & { bytes?: number };
  source: 'camera' | 'file';
}

/** Grabs the frame the video shows now. */
export async function prepareFrame(video: HTMLVideoElement, longEdge: number): Promise<PreparedImage> {
  const original = { width: video.videoWidth, height: video.videoHeight };
  if (!original.width || !original.height) throw new Error('The camera has not delivered a picture yet.');
  return prepare(video, original, longEdge, 'camera');
}

/** Decodes a chosen, dropped or pasted file (honouring EXIF orientation) and downscales it. */
export async function prepareFile(file: Blob, longEdge: number): Promise<PreparedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error('This browser cannot read that file as an image. Try a JPEG, PNG, GIF or WebP.');
  }
  try {
    const prepared = await prepare(bitmap, { width: bitmap.width, height: bitmap.height }, longEdge, 'file');
    prepared.original.bytes = file.size;
    return prepared;
  } finally {
    bitmap.close();
  }
}

async function prepare(
  source: CanvasImageSource,
  original: Size,
  longEdge: number,
  kind: PreparedImage['source'],
): Promise<PreparedImage> {
  const size = fitLongEdge(original, longEdge);
  const blob = await encodeJpeg(source, size);
  return { blob, url: URL.createObjectURL(blob), ...size, original: { ...original }, source: kind };
}
