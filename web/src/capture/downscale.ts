/**
 * Claude resizes any image whose long edge is over 1568 px before it reads it,
 * so pixels above the model's `recommendedLongEdge` cost upload time and nothing else.
 */
export const DEFAULT_LONG_EDGE = 1568;

/**
 * JPEG quality for frames sent to the model: clean enough for text and fine
 * detail at 1568 px, typically a few hundred KB instead of several MB.
 */
export const JPEG_QUALITY = 0.85;

export interface Size {
  width: number;
  height: number;
}

/** The size that fits `size` within `longEdge`, keeping its aspect ratio; never upscales. */
export function fitLongEdge(size: Size, longEdge: number): Size {
  const scale = Math.min(1, longEdge / Math.max(size.width, size.height));
  return {
    width: Math.max(1, Math.round(size.width * scale)),
    height: Math.max(1, Math.round(size.height * scale)),
  };
}

/** Draws `source` at `size` and encodes it as JPEG. */
export async function encodeJpeg(source: CanvasImageSource, size: Size, quality = JPEG_QUALITY): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw images (no 2D canvas).');
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, size.width, size.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) throw new Error('This browser could not encode the image as JPEG.');
  return blob;
}
