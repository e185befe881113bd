import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConverseBody } from '../../api/local/image-inspector.js';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

// The describe service through the Converse adapter: the local model reached
// through its Converse routes (LOCAL_MODEL_API=converse).

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done stopReason usage { inputTokens outputTokens } } }';
const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text stopReason usage { inputTokens outputTokens } } }';
const ARN_MESSAGE = 'User: arn:aws:sts::123456789012:assumed-role/GatewayRole/s is not authorized to perform: bedrock:InvokeModel';

type Gateway = Awaited<ReturnType<typeof startGateway>>;
let gateway: Gateway;
let image: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  image = base64(await solidImage('png', 64, 48));
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  gateway = await startGateway({ LOCAL_MODEL_API: 'converse' }, undefined, { logger: pino({ level: 'info' }, sink) });
});
afterAll(() => gateway.stop());

const variables = (extra: Record<string, unknown> = {}) => ({ input: { images: [{ base64: image }], ...extra } });

describe('describing an image through Converse', () => {
  it('streams the description from ConverseStream, the images in the Converse body', async () => {
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables({ prompt: 'What is it?', system: 'Be brief.', temperature: 0.3, topK: 20 })));
    const text = results.map((r) => r.data?.describeImage.text ?? '').join('');
    expect(text).toContain('64 × 48 pixels');
    expect(results.at(-1)!.data!.describeImage).toMatchObject({ done: true, stopReason: 'end_turn', usage: { inputTokens: expect.any(Number) } });
    const request = gateway.localBedrock!.requests.at(-1)!;
    expect(request.operation).toBe('converse-stream');
    const body = request.body as ConverseBody;
    expect(body.system).toEqual([{ text: 'Be brief.' }]);
    expect(body.inferenceConfig).toMatchObject({ temperature: 0.3 });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 20 });
    expect(body.messages![0]!.content!.map((block) => Object.keys(block)[0])).toEqual(['image', 'text']);
  });

  it('answers the mutation from Converse', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.data!.describeImage.text).toContain('64 × 48 pixels');
    expect(gateway.localBedrock!.requests.at(-1)!.operation).toBe('converse');
  });

  it("logs Bedrock's own words with the request id, and shows the client only the gateway's", async () => {
    gateway.localBedrock!.script({ kind: 'stream-error', deltas: ['a '], exceptionType: 'throttlingException', message: ARN_MESSAGE });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(results.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_THROTTLED');
    expect(JSON.stringify(results)).not.toMatch(/arn:|123456789012/);
    const line = lines.findLast((l) => l.event === 'describe' && l.outcome === 'error');
    expect(line).toMatchObject({ requestId: expect.any(String), code: 'UPSTREAM_THROTTLED', upstream: { name: 'ThrottlingException', message: ARN_MESSAGE } });
  });

  it('cuts an unbounded model id short in the error', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables({ modelId: 'x'.repeat(200_000) }));
    expect(result.errors![0]!.extensions!.code).toBe('MODEL_NOT_ALLOWED');
    expect(result.errors![0]!.message.length).toBeLessThan(500);
  });
});
