import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import { createLocalControlPlaneClient } from '../../api/bedrock/client.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveModel } from '../../api/bedrock/catalogue/index.js';
import { ModelDiscovery, type DiscoveryLogger } from '../../api/bedrock/discovery.js';
import { loadConfig } from '../../api/config.js';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { createServer } from '../../api/server.js';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const PIXTRAL = 'mistral.pixtral-large-2502-v1:0';

/** A logger that keeps what it was told, to count warnings. */
function recordingLogger() {
  const lines: { level: 'info' | 'warn'; obj: object; msg?: string }[] = [];
  const logger: DiscoveryLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
  };
  return { logger, warnings: () => lines.filter((l) => l.level === 'warn') };
}

describe('ModelDiscovery against the local endpoint with the real @aws-sdk/client-bedrock', () => {
  let endpoint: LocalBedrock;
  let client: BedrockClient;

  beforeAll(async () => {
    endpoint = await startLocalBedrock();
    client = createLocalControlPlaneClient(endpoint.url);
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });
  beforeEach(() => {
    endpoint.controlPlane.failure = undefined;
  });

  it('knows nothing before its first answer', () => {
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger });
    expect(discovery.state.status).toBe('idle');
    expect(discovery.availability(`global.${HAIKU}`)).toBeNull();
  });

  it('marks catalogue models available or not, by base id, profile id and profile ARN', async () => {
    endpoint.controlPlane.remove(PIXTRAL);
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger, intervalMs: 0 });
    const state = await discovery.start();
    discovery.stop();

    expect(state.status).toBe('ok');
    expect(endpoint.controlPlane.received.some((r) => r.includes('/foundation-models?byOutputModality=TEXT'))).toBe(true);
    expect(discovery.availability(HAIKU)).toBe(true);
    expect(discovery.availability(`global.${HAIKU}`)).toBe(true);
    expect(discovery.availability(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`)).toBe(true);
    expect(discovery.availability(PIXTRAL)).toBe(false);
    expect(discovery.availability(`us.${PIXTRAL}`)).toBe(false);
    // End-of-life models are no longer listed by Bedrock.
    expect(discovery.availability('anthropic.claude-3-haiku-20240307-v1:0')).toBe(false);
  });

  it('takes a LEGACY lifecycle and its end-of-life date from modelLifecycle', async () => {
    endpoint.controlPlane.setLegacy('amazon.nova-pro-v1:0', '2027-06-30');
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger, intervalMs: 0 });
    await discovery.refresh();
    const entry = discovery.withReportedLifecycle(resolveModel('amazon.nova-pro-v1:0')!.entry);
    expect(entry.lifecycle).toMatchObject({ status: 'legacy', endOfLife: '2027-06-30' });
  });

  it('resolves an application inference profile ARN through ListInferenceProfiles', async () => {
    const arn = endpoint.controlPlane.addApplicationProfile('team-vision', HAIKU);
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger, intervalMs: 0 });
    expect(resolveModel(arn, discovery.resolveOptions())).toBeUndefined();
    await discovery.refresh();
    const resolved = resolveModel(arn, discovery.resolveOptions());
    expect(resolved).toMatchObject({ invokeId: arn, profile: arn });
    expect(resolved!.entry.id).toBe(HAIKU);
    expect(discovery.availability(arn)).toBe(true);
  });

  it('lists a discovered vision model missing from the catalogue with conservative limits', async () => {
    endpoint.controlPlane.models.push({
      modelArn: endpoint.controlPlane.modelArn('acme.seer-v1:0'),
      modelId: 'acme.seer-v1:0',
      modelName: 'Seer',
      providerName: 'Acme',
      inputModalities: ['TEXT', 'IMAGE'],
      outputModalities: ['TEXT'],
      inferenceTypesSupported: ['ON_DEMAND'],
      modelLifecycle: { status: 'ACTIVE' },
    });
    endpoint.controlPlane.models.push({
      modelArn: endpoint.controlPlane.modelArn('acme.scribe-v1:0'),
      modelId: 'acme.scribe-v1:0',
      inputModalities: ['TEXT'],
      outputModalities: ['TEXT'],
    });
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger, intervalMs: 0 });
    const state = await discovery.refresh();
    expect(state.uncatalogued.map((e) => e.id)).toEqual(['acme.seer-v1:0']);
    expect(state.uncatalogued[0]).toMatchObject({
      name: 'Seer',
      provider: 'Acme',
      conservative: true,
      apiFamily: 'converse',
      maxOutputTokens: 4096,
      images: { maxCount: 5, maxBytes: 3_750_000, longEdge: 1568 },
    });
    expect(Number.isNaN(state.uncatalogued[0]!.prices.input)).toBe(true);
  });

  it('warns once on AccessDeniedException (HTTP 403) and keeps what it knew', async () => {
    const { logger, warnings } = recordingLogger();
    const discovery = new ModelDiscovery({ client, logger, intervalMs: 0 });
    await discovery.refresh();
    expect(discovery.availability(HAIKU)).toBe(true);

    endpoint.controlPlane.failure = { status: 403, errorType: 'AccessDeniedException', message: 'not authorized' };
    const failed = await discovery.refresh();
    await discovery.refresh();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/AccessDeniedException/);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toMatch(/not permitted/);
    // The earlier answer is kept.
    expect(discovery.availability(HAIKU)).toBe(true);
  });

  it('never rejects when denied from the start: availability stays unknown', async () => {
    endpoint.controlPlane.failure = { status: 403, errorType: 'AccessDeniedException', message: 'not authorized' };
    const { logger, warnings } = recordingLogger();
    const discovery = new ModelDiscovery({ client, logger, intervalMs: 0 });
    await expect(discovery.start()).resolves.toMatchObject({ status: 'failed' });
    expect(discovery.availability(HAIKU)).toBeNull();
    expect(warnings()).toHaveLength(1);
  });
});

describe('Query.models with discovery (AWS mode, local endpoint as Bedrock)', () => {
  let endpoint: LocalBedrock;
  let client: BedrockClient;

  beforeAll(async () => {
    endpoint = await startLocalBedrock();
    client = createLocalControlPlaneClient(endpoint.url);
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  it('shows availability and Bedrock-reported lifecycle per model, and lists uncatalogued models without allowing them', async () => {
    endpoint.controlPlane.remove(PIXTRAL);
    endpoint.controlPlane.setLegacy('amazon.nova-pro-v1:0', '2027-06-30');
    endpoint.controlPlane.models.push({
      modelArn: endpoint.controlPlane.modelArn('acme.seer-v1:0'),
      modelId: 'acme.seer-v1:0',
      modelName: 'Seer',
      providerName: 'Acme',
      inputModalities: ['TEXT', 'IMAGE'],
      outputModalities: ['TEXT'],
      modelLifecycle: { status: 'ACTIVE' },
    });
    const config = loadConfig({ BEDROCK_MODE: 'aws', HOST: '127.0.0.1', PORT: '0' }, mkdtempSync(join(tmpdir(), 'home-')));
    const server = await createServer(config);
    const discovery = new ModelDiscovery({ client, logger: recordingLogger().logger, intervalMs: 0 });
    Object.assign(server.services, { modelDiscovery: discovery, modelAliases: config.modelAliases });

    const query = async () => {
      const response = await server.yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ models { id availability lifecycle { status endOfLife } warnings } discoveredModels { id isAllowed conservativeLimits maxImages availability } }',
        }),
      });
      return ((await response.json()) as { data: { models: any[]; discoveredModels: any[] } }).data;
    };
    const byId = (models: any[], id: string) => models.find((m) => m.id === id);

    const before = await query();
    expect(byId(before.models, `global.${HAIKU}`).availability).toBe('UNKNOWN');
    expect(before.discoveredModels).toEqual([]);

    await discovery.start();
    discovery.stop();
    const after = await query();
    expect(byId(after.models, `global.${HAIKU}`).availability).toBe('AVAILABLE');
    expect(byId(after.models, `us.${PIXTRAL}`).availability).toBe('UNAVAILABLE');
    const novaPro = byId(after.models, 'amazon.nova-pro-v1:0');
    expect(novaPro.lifecycle).toEqual({ status: 'LEGACY', endOfLife: '2027-06-30' });
    expect(novaPro.warnings[0]).toMatch(/legacy model on Bedrock: it works until 2027-06-30/);
    expect(after.discoveredModels).toEqual([
      { id: 'acme.seer-v1:0', isAllowed: false, conservativeLimits: true, maxImages: 5, availability: 'AVAILABLE' },
    ]);
    expect(after.models.map((m) => m.id)).not.toContain('acme.seer-v1:0');
  });
});

describe('discovery started by the server', () => {
  it('asks the embedded endpoint at start in local mode: ListFoundationModels and ListInferenceProfiles answered', async () => {
    const { startGateway } = await import('../helpers/gateway.js');
    const gateway = await startGateway();
    try {
      await expect.poll(() => gateway.services.modelDiscovery?.state.status).toBe('ok');
      const received = gateway.localBedrock!.controlPlane.received;
      expect(received.some((path) => path.startsWith('GET /foundation-models'))).toBe(true);
      expect(received.some((path) => path.startsWith('GET /inference-profiles'))).toBe(true);
    } finally {
      await gateway.stop();
    }
  });

  it('does not start when MODEL_DISCOVERY_INTERVAL_MS is 0: availability stays unknown', async () => {
    const { startGateway } = await import('../helpers/gateway.js');
    const gateway = await startGateway({ MODEL_DISCOVERY_INTERVAL_MS: '0' });
    try {
      expect(gateway.services.modelDiscovery).toBeUndefined();
      expect(gateway.localBedrock!.controlPlane.received).toHaveLength(0);
    } finally {
      await gateway.stop();
    }
  });
});
