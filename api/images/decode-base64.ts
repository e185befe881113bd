import { ErrorCode, gatewayError } from '../errors.js';

const DATA_URL = /^data:([^;,]*)(;[^,]*)?,/;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/**
 * Decodes an image given as raw base64 or a `data:` URL. Node's decoder
 * silently skips invalid characters, so the alphabet is checked first: a
 * mangled string must fail here rather than reach the image decoder as noise.
 */
export function decodeBase64Image(value: string, maxBytes: number, label: string): Buffer {
  let payload = value.trim();
  const dataUrl = DATA_URL.exec(payload);
  if (dataUrl) {
    if (!dataUrl[2]?.includes('base64')) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, `${label}: a data: URL must be base64-encoded (data:image/...;base64,...).`);
    }
    payload = payload.slice(dataUrl[0].length);
  }
  payload = payload.replace(/\s+/g, '');
  if (payload.length === 0) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${label}: the image is empty.`);
  }
  // 4 base64 characters carry 3 bytes: refuse oversize input before decoding it.
  const decodedLength = Math.floor((payload.length * 3) / 4);
  if (decodedLength > maxBytes + 2) {
    throw gatewayError(
      ErrorCode.IMAGE_TOO_LARGE,
      `${label}: the image is about ${formatBytes(decodedLength)}; the limit is ${formatBytes(maxBytes)}.`,
    );
  }
  if (!BASE64.test(payload) || payload.length % 4 === 1) {
    throw gatewayError(
      ErrorCode.BAD_USER_INPUT,
      `${label}: not valid base64. Send the file's bytes base64-encoded, or a data:image/...;base64,... URL.`,
    );
  }
  return Buffer.from(payload, payload.includes('-') || payload.includes('_') ? 'base64url' : 'base64');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(2)} MB`;
  if (bytes >= 1000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${bytes} bytes`;
}
