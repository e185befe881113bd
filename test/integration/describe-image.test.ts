import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripPng } from '../../api/images/strip-metadata.js';
import { INSPECTOR_PREAMBLE, splitIntoDeltas, type MessagesBody } from '../../api/local/image-inspector.js';
import type { LocalBedrock } from '../../api/local/endpoint.js';
import { useGateway } from '../helpers/gateway.js';
import { collectWs, postGraphQL, sseSubscribe, wsClient, collect, type Result } from '../helpers/graphql.js';
import { base64, dataUrl, solidImage } from '../helpers/images.js';

const SUBSCRIPTION = /* GraphQL */ `
  subscription Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id index text done stopReason modelId firstTokenMs latencyMs
      usage { inputTokens outputTokens }
      images { mediaType width height byteSize reencoded }
    }
  }
`;

const MUTATION = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id text modelId stopReason latencyMs
      usage { inputTokens outputTokens }
      images { mediaType width height byteSize }
    }
  }
`;

type Chunk = {
  id: string;
  index: number;
  text: string;
  done: boolean;
  stopReason: string | null;
  modelId: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  images: { width: number; height: number; mediaType: string }[] | null;
};

const chunksOf = (results: Result[]) => results.map((r) => r.data?.describeImage as Chunk).filter(Boolean);
const textOf = (results: Result[]) => chunksOf(results).map((c) => c.text).join('');

const gateway = useGateway();
let upstream: LocalBedrock;
let png: Buffer;

beforeAll(async () => {
  upstream = gateway.localBedrock!;
  png = await solidImage('png', 64, 48, '#3366cc');
});

beforeEach(() => {
  upstream.paceMs = 0;
});

const input = (extra: Record<string, unknown> = {}) => ({ input: { images: [{ base64: base64(png) }], ...extra } });

describe('describeImage subscription', () => {
  it('streams the local model over SSE chunk by chunk, then a final chunk with stop reason and usage', async () => {
    // Paced, so the deltas arrive one by one: unpaced, they can all arrive in
    // one read and are then merged into one chunk (issue #5).
    upstream.paceMs = 5;
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input()));
    const chunks = chunksOf(results);
    const deltas = splitIntoDeltas(textOf(results)).length;
    expect(deltas).toBeGreaterThan(10);
    // A client that keeps up gets about one chunk per delta (a busy machine may merge a few).
    expect(chunks.length).toBeGreaterThan(deltas / 2);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const last = chunks.at(-1)!;
    expect(last).toMatchObject({ done: true, text: '', stopReason: 'end_turn', modelId: 'local.image-inspector' });
    expect(last.usage!.outputTokens).toBe(splitIntoDeltas(textOf(results)).length);
    expect(last.usage!.inputTokens).toBeGreaterThan(0);
    expect(last.images).toEqual([expect.objectContaining({ width: 64, height: 48, mediaType: 'image/png' })]);
    expect(chunks.slice(0, -1).every((c) => !c.done && c.text.length > 0)).toBe(true);
    const text = textOf(results);
    expect(text.startsWith(INSPECTOR_PREAMBLE)).toBe(true);
    expect(text).toContain('64 × 48 pixels');
  });

  it('sends the Anthropic Messages body Bedrock expects, image first', async () => {
    await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input({ prompt: 'What is this?', system: 'Be brief.', maxTokens: 300, temperature: 0.2 })));
    const request = upstream.requests.at(-1)!;
    expect(request).toMatchObject({ modelId: 'local.image-inspector', operation: 'invoke-with-response-stream', httpVersion: '1.1' });
    expect(request.body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 300,
      system: 'Be brief.',
      temperature: 0.2,
      messages: [
        {
          role: 'user',
          content: [
            // The PNG's pixels as they came; only its pHYs chunk (not pixels) is dropped.
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: base64(stripPng(png)) } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
  });

  const tricky = ['Héllo ', '\ud83d', '\ude00 wörld, ', '日本', '語 ', '👋🏽', '!'];

  it('reassembles multi-byte text split across deltas exactly, over SSE', async () => {
    upstream.script({ kind: 'text', deltas: tricky });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input()));
    expect(textOf(results)).toBe(tricky.join(''));
    // No chunk carries half a surrogate pair.
    expect(chunksOf(results).every((c) => c.text.isWellFormed())).toBe(true);
  });

  it('reassembles multi-byte text split across deltas exactly, over graphql-ws', async () => {
    upstream.script({ kind: 'text', deltas: tricky, usage: { inputTokens: 12, outputTokens: 7 } });
    const client = wsClient(gateway.wsUrl);
    const results = await collectWs(client, SUBSCRIPTION, input());
    await client.dispose();
    expect(textOf(results)).toBe(tricky.join(''));
    expect(chunksOf(results).at(-1)!.usage).toEqual({ inputTokens: 12, outputTokens: 7 });
  });

  it('accepts a data: URL and several images in order', async () => {
    const jpeg = await solidImage('jpeg', 30, 20, '#ff0000');
    const results = await collect(
      sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, {
        input: { images: [{ base64: dataUrl(jpeg, 'image/jpeg') }, { base64: base64(png) }] },
      }),
    );
    expect(textOf(results)).toContain('It measured 2 images');
    const sent = (upstream.requests.at(-1)!.body as MessagesBody).messages![0]!.content!.map((c) => c.type);
    expect(sent).toEqual(['image', 'image', 'text']);
    expect(chunksOf(results).at(-1)!.images!.map((i) => i.mediaType)).toEqual(['image/jpeg', 'image/png']);
  });
});

describe('describeImage mutation', () => {
  it('returns the same text and usage as the stream', async () => {
    const streamed = chunksOf(await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input())));
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, input());
    expect(result.errors).toBeUndefined();
    const description = result.data!.describeImage;
    expect(description.text).toBe(streamed.map((c) => c.text).join(''));
    expect(description.usage).toEqual(streamed.at(-1)!.usage);
    expect(description).toMatchObject({ modelId: 'local.image-inspector', stopReason: 'end_turn' });
    expect(upstream.requests.at(-1)!.operation).toBe('invoke');
  });

  it('honours maxTokens with stop reason max_tokens', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, input({ maxTokens: 5 }));
    expect(result.data!.describeImage).toMatchObject({ stopReason: 'max_tokens', usage: { outputTokens: 5 } });
  });
});

describe('uploadImage', () => {
  async function upload(file: Buffer, headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1' }) {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: 'mutation ($file: File!) { uploadImage(file: $file) { id mediaType width height byteSize expiresAt } }', variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([new Uint8Array(file)]), 'photo.bin');
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers });
    return { status: response.status, body: (await response.json()) as Result };
  }

  it('stores an upload that describeImage then uses by id', async () => {
    const jpeg = await solidImage('jpeg', 2000, 1000, '#00aa00');
    const { body } = await upload(jpeg);
    expect(body.errors).toBeUndefined();
    const uploaded = body.data!.uploadImage;
    expect(uploaded).toMatchObject({ mediaType: 'image/jpeg', width: 1568, height: 784 });
    expect(Date.parse(uploaded.expiresAt)).toBeGreaterThan(Date.now());

    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, { input: { images: [{ uploadId: uploaded.id }] } }));
    expect(textOf(results)).toContain('1568 × 784 pixels');
    const sent = (upstream.requests.at(-1)!.body as MessagesBody).messages![0]!.content![0] as { source: { data: string } };
    expect(Buffer.from(sent.source.data, 'base64').length).toBe(uploaded.byteSize);
  });

  it('refuses a multipart request without a CSRF header', async () => {
    const { status, body } = await upload(png, {});
    expect(status).toBe(403);
    expect(body.errors![0]!.message).toMatch(/CSRF/);
  });

  it('checks an upload like any image', async () => {
    const { body } = await upload(Buffer.from('GIF89a but not really a gif'));
    expect(body.errors![0]!.extensions!.code).toBe('IMAGE_CORRUPT');
  });
});
