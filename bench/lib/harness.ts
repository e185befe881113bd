import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import sharp from 'sharp';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { buildMessagesBody } from '../../api/bedrock/adapters/anthropic-messages.js';
import type { ModelRequest } from '../../api/bedrock/model-request.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { DEFAULT_MAX_TOKENS } from '../../api/services/describe/prepare.js';
import { Child } from './children.js';
import { specPrompt, type StreamSpec } from './deltas.js';

export const SUBSCRIPTION = 'subscription Bench($input: DescribeImageInput!) { describeImage(input: $input) { id index text done } }';

/** Which upstream endpoint (see bench/processes/upstream.ts). */
export type UpstreamKind = 'local' | 'replay';

export interface Gateway {
  child: Child;
  upstream: UpstreamKind;
  graphqlUrl: string;
  wsUrl: string;
  relayUrl: string;
}

export interface HarnessOptions {
  quick: boolean;
  /** Folder for --cpu-prof profiles of the gateway process, if profiling. */
  profileDir?: string;
  /** Extra environment for the gateway's loadConfig (e.g. limits another change adds). */
  gatewayEnv: Record<string, string>;
}

/**
 * Everything the scenarios share: the upstream process, the direct SDK client
 * (the floor), the picture every request carries, and fresh gateway processes.
 */
export class Harness {
  /** The direct SDK client (the floor) for each upstream endpoint. */
  readonly direct: Record<UpstreamKind, BedrockRuntimeClient>;

  private constructor(
    readonly options: HarnessOptions,
    readonly upstream: Child,
    readonly upstreamUrls: Record<UpstreamKind, string>,
    /** A small PNG, sent inline as base64: what the gateway checks with sharp before calling upstream. */
    readonly png: Buffer,
  ) {
    this.direct = { local: createLocalBedrockClient(upstreamUrls.local), replay: createLocalBedrockClient(upstreamUrls.replay) };
  }

  static async start(options: HarnessOptions): Promise<Harness> {
    const upstream = Child.start('upstream', 'upstream');
    const { localUrl, replayUrl } = await upstream.ready;
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    return new Harness(options, upstream, { local: localUrl, replay: replayUrl }, png);
  }

  get quick(): boolean {
    return this.options.quick;
  }

  /** A fresh gateway process whose SDK client calls the given upstream endpoint. */
  async startGateway(label: string, upstream: UpstreamKind, env: Record<string, string> = {}): Promise<Gateway> {
    const execArgv = this.options.profileDir
      ? // One folder per gateway: a worker thread (tsx's loader, when run through tsx) writes a profile of its own next to the main thread's (….0.001.cpuprofile).
        ['--cpu-prof', `--cpu-prof-dir=${this.options.profileDir}/gateway-${label}`]
      : [];
    const child = Child.start(`gateway(${label})`, 'gateway', {
      execArgv,
      env: { BENCH_UPSTREAM_URL: this.upstreamUrls[upstream], BENCH_GATEWAY_ENV: JSON.stringify({ ...this.options.gatewayEnv, ...env }) },
    });
    const urls = await child.ready;
    return { child, upstream, graphqlUrl: urls.graphqlUrl, wsUrl: urls.wsUrl, relayUrl: urls.relayUrl };
  }

  /** Runs `scenario` against a fresh gateway (see startGateway), which is stopped afterwards, also on failure. */
  async withGateway<T>(
    label: string,
    upstream: UpstreamKind,
    scenario: (gateway: Gateway) => Promise<T>,
    env: Record<string, string> = {},
  ): Promise<T> {
    const gateway = await this.startGateway(label, upstream, env);
    try {
      return await scenario(gateway);
    } finally {
      await gateway.child.stop();
    }
  }

  /** GraphQL variables of one describeImage subscription for `spec`: the PNG inline, or an uploaded image's id. */
  variables(spec: StreamSpec, uploadId?: string): Record<string, unknown> {
    const image = uploadId ? { uploadId } : { base64: this.png.toString('base64') };
    return { input: { images: [image], prompt: specPrompt(spec) } };
  }

  /** Uploads the PNG with the uploadImage mutation (GraphQL multipart request); returns its id. */
  async upload(gateway: Pick<Gateway, 'graphqlUrl'>, headers: Record<string, string> = {}): Promise<string> {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: 'mutation ($f: File!) { uploadImage(file: $f) { id } }', variables: { f: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([new Uint8Array(this.png)], { type: 'image/png' }), 'bench.png');
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': 'bench', ...headers } });
    const result = (await response.json()) as { data?: { uploadImage: { id: string } }; errors?: unknown };
    if (!result.data) throw new Error(`upload failed: ${JSON.stringify(result.errors)}`);
    return result.data.uploadImage.id;
  }

  /** The provider-neutral request the gateway makes for `spec`, for the direct calls. */
  request(spec: StreamSpec): ModelRequest {
    return {
      modelId: LOCAL_MODEL_ID,
      images: [{ format: 'png', mediaType: 'image/png', bytes: this.png }],
      turns: [{ role: 'user', text: specPrompt(spec) }],
      maxTokens: DEFAULT_MAX_TOKENS,
    };
  }

  /** The Messages body the gateway sends upstream for the same request, for the direct call. */
  body(spec: StreamSpec): string {
    return buildMessagesBody(this.request(spec));
  }

  async stop(): Promise<void> {
    this.direct.local.destroy();
    this.direct.replay.destroy();
    await this.upstream.stop();
  }
}
