import pino from 'pino';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { modelInfo, type VisionModelInfo } from '../../api/bedrock/models.js';
import { loadConfig } from '../../api/config.js';
import { normaliseImage } from '../../api/images/normalise.js';
import { createServices } from '../../api/services/container.js';
import { fitStoredImage, uploadLimits } from '../../api/services/describe/images.js';
import { createStores } from '../../api/stores/create-stores.js';
import { createTelemetry } from '../../api/telemetry.js';
import { phonePhoto } from '../helpers/images.js';

// An upload is stored once at the largest useful size of the allowed models,
// and fitted again for the model a request names.

async function services(env: Record<string, string>) {
  const config = loadConfig({ BEDROCK_MODE: 'aws', MODEL_DISCOVERY_INTERVAL_MS: '0', ...env });
  const logger = pino({ level: 'silent' });
  return createServices(config, createTelemetry(logger), await createStores(config, new Registry(), logger));
}

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

describe('uploads fitted per model', () => {
  it('stores an upload at the largest long edge and byte limit of the allowed models', async () => {
    const deps = await services({ ALLOWED_MODEL_IDS: `${HAIKU},amazon.nova-lite-v1:0` });
    const limits = uploadLimits(deps);
    expect(limits.longEdge).toBe(Math.max(modelInfo(HAIKU).recommendedLongEdge, modelInfo('amazon.nova-lite-v1:0').recommendedLongEdge));
    expect(limits.maxImageBytes).toBe(Math.max(modelInfo(HAIKU).maxImageBytes, modelInfo('amazon.nova-lite-v1:0').maxImageBytes));
  });

  it('sends a stored image as it is to a model that takes it, and refits it for a model that takes less', async () => {
    const deps = await services({ ALLOWED_MODEL_IDS: HAIKU });
    const stored = await normaliseImage(await phonePhoto(2000, 1500), uploadLimits(deps), 'file');
    expect(Math.max(stored.width, stored.height)).toBe(1568);

    const haiku = modelInfo(HAIKU);
    expect(await fitStoredImage(stored, haiku, deps, 'images[0]')).toBe(stored);

    // A model whose useful long edge is 1000 px (as a catalogue entry may say).
    const smaller: VisionModelInfo = { ...haiku, recommendedLongEdge: 1000 };
    const fitted = await fitStoredImage(stored, smaller, deps, 'images[0]');
    expect(Math.max(fitted.width, fitted.height)).toBe(1000);
    expect(fitted.original).toEqual(stored.original);
    expect(fitted.reencoded).toBe(true);
    const decoded = await sharp(fitted.bytes).metadata();
    expect([decoded.width, decoded.height]).toEqual([fitted.width, fitted.height]);

    // And one that takes fewer bytes per image than a stored lossless PNG holds: sent as a JPEG instead.
    const noisyPng = await sharp(await phonePhoto(800, 600)).png().toBuffer();
    const storedPng = await normaliseImage(noisyPng, uploadLimits(deps), 'file');
    const fewerBytes: VisionModelInfo = { ...haiku, maxImageBytes: Math.floor(storedPng.bytes.length / 2) };
    const shrunk = await fitStoredImage(storedPng, fewerBytes, deps, 'images[0]');
    expect(shrunk.bytes.length).toBeLessThanOrEqual(fewerBytes.maxImageBytes);
    expect(shrunk.mediaType).toBe('image/jpeg');
  });
});
