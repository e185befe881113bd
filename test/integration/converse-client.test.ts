import { BedrockRuntimeClient, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiFamily } from '../../api/bedrock/catalogue/types.js';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { upstreamDetailOf, type UpstreamDetail } from '../../api/bedrock/errors.js';
import { createBedrockClient, type BedrockModelClient } from '../../api/bedrock/model-client.js';
import type { ModelRequest } from '../../api/bedrock/model-request.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { INSPECTOR_PREAMBLE, type ConverseBody } from '../../api/local/image-inspector.js';
import { solidImage } from '../helpers/images.js';

// The client and both adapters against the embedded endpoint, through the real SDK.

const FAMILIES: ApiFamily[] = ['anthropic-messages', 'converse'];
const ARN_MESSAGE =
  'User: arn:aws:sts::123456789012:assumed-role/BedrockRole/session is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x';

let endpoint: LocalBedrock;
let sdk: BedrockRuntimeClient;
let client: BedrockModelClient;
const logged: (UpstreamDetail & { modelId: string })[] = [];
let request: ModelRequest;

beforeAll(async () => {
  endpoint = await startLocalBedrock();
  sdk = createLocalBedrockClient(endpoint.url);
  client = createBedrockClient(sdk, { idleTimeoutMs: 2_000, logUpstreamError: (detail) => logged.push(detail) });
  const bytes = await solidImage('png', 64, 48);
  request = {
    modelId: LOCAL_MODEL_ID,
    images: [{ format: 'png', mediaType: 'image/png', bytes }],
    turns: [{ role: 'user', text: 'What is this?' }],
    maxTokens: 500,
  };
});
afterAll(async () => {
  sdk.destroy();
  await endpoint.stop();
});

async function streamText(family: ApiFamily, req = request, signal = new AbortController().signal) {
  const texts: string[] = [];
  const result = await client.stream(req, family, signal, (text) => texts.push(text));
  return { text: texts.join(''), texts, result };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { extensions: { code: string; modelId?: string } };
  }
  throw new Error('expected a failure');
}

describe.each(FAMILIES)('the %s adapter', (family) => {
  it('streams the local model, which reads the images from its body shape', async () => {
    const { text, result } = await streamText(family);
    expect(text.startsWith(INSPECTOR_PREAMBLE)).toBe(true);
    expect(text).toContain('64 × 48 pixels');
    expect(result).toMatchObject({ stopReason: 'end_turn', usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) } });
    expect(endpoint.requests.at(-1)!.operation).toBe(family === 'converse' ? 'converse-stream' : 'invoke-with-response-stream');
  });

  it('relays the exact text, surrogate pairs whole, in one billed call', async () => {
    const before = endpoint.requests.length;
    const deltas = ['Héllo ', '\ud83d', '\ude00 wörld, ', '日本', '語 ', '👋🏽', '!'];
    endpoint.script({ kind: 'text', deltas, stopReason: 'max_tokens', usage: { inputTokens: 7, outputTokens: 7 } });
    const { text, texts, result } = await streamText(family);
    expect(text).toBe(deltas.join(''));
    expect(texts.every((t) => t.isWellFormed())).toBe(true);
    expect(result).toMatchObject({ stopReason: 'max_tokens', usage: { inputTokens: 7, outputTokens: 7 }, requestId: expect.any(String) });
    expect(endpoint.requests.length - before).toBe(1);
  });

  it('invokes a whole answer', async () => {
    endpoint.script({ kind: 'text', deltas: ['all ', 'at ', 'once'], usage: { inputTokens: 3, outputTokens: 3 } });
    const result = await client.invoke(request, family, new AbortController().signal);
    expect(result).toMatchObject({ text: 'all at once', stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 3 } });
    expect(endpoint.requests.at(-1)!.operation).toBe(family === 'converse' ? 'converse' : 'invoke');
  });

  it('reports a cache write, then cache reads, for repeated images behind a cache point', async () => {
    const cached = { ...request, cacheImages: true, system: `Cache test for ${family}.` };
    const first = await streamText(family, cached);
    const second = await streamText(family, cached);
    const invoked = await client.invoke(cached, family, new AbortController().signal);
    const prefix = first.result.usage.cacheWriteInputTokens!;
    expect(prefix).toBeGreaterThan(0);
    expect(first.result.usage.cacheReadInputTokens).toBeUndefined();
    expect(second.result.usage).toMatchObject({ cacheReadInputTokens: prefix, inputTokens: first.result.usage.inputTokens });
    expect(second.result.usage.cacheWriteInputTokens).toBeUndefined();
    expect(invoked.usage.cacheReadInputTokens).toBe(prefix);
    const plain = await streamText(family, { ...request, system: `Cache test for ${family}.` });
    expect(plain.result.usage.inputTokens).toBe(first.result.usage.inputTokens + prefix);
  });

  it('ends only the failing call on an exception inside the stream, with the text before it and no upstream words', async () => {
    endpoint.script({ kind: 'stream-error', deltas: ['partial '], exceptionType: 'modelStreamErrorException', message: ARN_MESSAGE });
    const texts: string[] = [];
    const error = await failure(client.stream(request, family, new AbortController().signal, (t) => texts.push(t)));
    expect(texts.join('')).toBe('partial ');
    expect(error.extensions.code).toBe('UPSTREAM_ERROR');
    expect(error.message).not.toMatch(/arn:|123456789012/);
    expect(upstreamDetailOf(error)).toMatchObject({ name: 'ModelStreamErrorException', message: ARN_MESSAGE });
    expect((await streamText(family)).text).toContain('64 × 48 pixels');
  });

  it('maps an AccessDenied refusal without echoing the account id or role ARN, and logs them', async () => {
    endpoint.script({ kind: 'http-error', status: 403, errorType: 'AccessDeniedException', message: ARN_MESSAGE });
    const error = await failure(streamText(family));
    expect(error.extensions.code).toBe('UPSTREAM_ACCESS_DENIED');
    expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toMatch(/arn:|123456789012/);
    expect(logged.at(-1)).toMatchObject({ name: 'AccessDeniedException', message: ARN_MESSAGE, httpStatusCode: 403 });
  });

  it('maps a validation refusal without echoing it', async () => {
    endpoint.script({ kind: 'http-error', status: 400, errorType: 'ValidationException', message: `Bad input for ${ARN_MESSAGE}` });
    const error = await failure(client.invoke(request, family, new AbortController().signal));
    expect(error.extensions.code).toBe('UPSTREAM_VALIDATION');
    expect(error.message).not.toMatch(/arn:|123456789012/);
  });

  it('cuts a long model id short in messages', async () => {
    const modelId = `m${'x'.repeat(200_000)}`;
    const error = await failure(streamText(family, { ...request, modelId }));
    expect(error.extensions.code).toMatch(/^UPSTREAM_/);
    expect(error.message.length).toBeLessThan(400);
    expect(String(error.extensions.modelId).length).toBeLessThan(120);
  });

  it('calls a malformed stream UPSTREAM_ERROR', async () => {
    endpoint.script({ kind: 'malformed-chunk' });
    expect((await failure(streamText(family))).extensions.code).toBe('UPSTREAM_ERROR');
    endpoint.script({ kind: 'malformed-chunk' });
    expect((await failure(client.invoke(request, family, new AbortController().signal))).extensions.code).toBe('UPSTREAM_ERROR');
  });

  it('aborts the upstream call on cancellation, and on silence after the idle timeout', async () => {
    endpoint.script({ kind: 'text', deltas: Array.from({ length: 200 }, (_, i) => `w${i} `), paceMs: 20 });
    const controller = new AbortController();
    const requested = endpoint.nextRequest();
    const call = client.stream(request, family, controller.signal, () => controller.abort());
    expect((await failure(call)).extensions.code).toBe('CANCELLED');
    expect(await (await requested).settled).toBe('aborted');

    endpoint.script({ kind: 'hang' });
    const hung = endpoint.nextRequest();
    expect((await failure(streamText(family))).extensions.code).toBe('UPSTREAM_TIMEOUT');
    expect(await (await hung).settled).toBe('aborted');
  });
});

describe('the endpoint speaks Converse as the SDK reads it', () => {
  it("frames ConverseStream events the SDK's own deserialiser decodes", async () => {
    endpoint.script({ kind: 'text', deltas: ['one ', 'two'], stopReason: 'end_turn', usage: { inputTokens: 4, outputTokens: 2, cacheReadInputTokens: 1 } });
    const response = await sdk.send(
      new ConverseStreamCommand({ modelId: LOCAL_MODEL_ID, messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 10 } }),
    );
    const events: unknown[] = [];
    for await (const event of response.stream!) events.push(event);
    expect(events).toContainEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'one ' } } });
    expect(events).toContainEqual({ messageStop: { stopReason: 'end_turn' } });
    expect(events).toContainEqual({
      metadata: { usage: { inputTokens: 4, outputTokens: 2, cacheReadInputTokens: 1, totalTokens: 7 }, metrics: { latencyMs: expect.any(Number) } },
    });
    const body = endpoint.requests.at(-1)!.body as ConverseBody;
    expect(body).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 10 } });
  });

  it('counts tokens for a Converse input and an InvokeModel body alike', async () => {
    const bytes = request.images[0]!.bytes;
    const converse = await sdk.send(
      new CountTokensCommand({
        modelId: LOCAL_MODEL_ID,
        input: { converse: { messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes } } }, { text: 'What is this?' }] }] } },
      }),
    );
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from(bytes).toString('base64') } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    const invoke = await sdk.send(new CountTokensCommand({ modelId: LOCAL_MODEL_ID, input: { invokeModel: { body: new TextEncoder().encode(body) } } }));
    // 64 × 48 / 750 → 5 image tokens, 13 characters → 4 text tokens.
    expect(converse.inputTokens).toBe(9);
    expect(invoke.inputTokens).toBe(9);
    expect(endpoint.requests.at(-1)!.operation).toBe('count-tokens');
  });
});
