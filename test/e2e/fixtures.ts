import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/** The fake camera's only frame: a size and colours the local model will report back. */
export const CAMERA_FRAME = { width: 640, height: 480 };

function frameSvg(width: number, height: number, label: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
        <stop offset="0" stop-color="#f08a24"/><stop offset="1" stop-color="#c2410c"/>
      </linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>
      <circle cx="${width * 0.32}" cy="${height * 0.5}" r="${height * 0.3}" fill="#0f766e"/>
      <rect x="${width * 0.58}" y="${height * 0.25}" width="${width * 0.3}" height="${height * 0.5}" rx="${height * 0.04}" fill="#f8fafc"/>
      <text x="${width * 0.73}" y="${height * 0.53}" font-family="sans-serif" font-size="${height * 0.09}" text-anchor="middle" fill="#111827">${label}</text>
    </svg>`,
  );
}

/**
 * Writes a one-frame YUV4MPEG2 file for Chromium's fake camera
 * (--use-file-for-fake-video-capture), converting sRGB to BT.601 4:2:0 as y4m's C420jpeg expects.
 */
export async function writeCameraY4m(path: string, { width, height } = CAMERA_FRAME): Promise<void> {
  const rgb = await sharp(frameSvg(width, height, 'CAM')).removeAlpha().raw().toBuffer();
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = (row * width + col) * 3;
      const [r, g, b] = [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
      y[row * width + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
      if (row % 2 === 0 && col % 2 === 0) {
        const c = (row / 2) * (width / 2) + col / 2;
        u[c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        v[c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  const header = `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`;
  await writeFile(path, Buffer.concat([Buffer.from(header), Buffer.from('FRAME\n'), y, u, v]));
}

/** A photo-sized PNG, larger than the model's long edge, for the file chooser. */
export async function writeLargePng(path: string, width = 3000, height = 2000): Promise<void> {
  await sharp(frameSvg(width, height, 'FILE')).png().toFile(path);
}
