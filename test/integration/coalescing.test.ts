import { setTimeout as sleep } from 'node:timers/promises';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { resolveModel } from '../../api/bedrock/catalogue/index.js';
import { createBedrockClient, type BedrockModelClient } from '../../api/bedrock/model-client.js';
import { LOCAL_MODEL_ID, modelInfo } from '../../api/bedrock/models.js';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { describeImageEvents } from '../../api/services/describe/stream.js';
import type { DescriptionChunk, DescriptionEvent, PreparedDescription } from '../../api/services/describe/types.js';

// The subscription's source on its own (issue #5): the real SDK against the
// local endpoint, consumed directly, so the consumer's pace is exact.

let upstream: LocalBedrock;
let bedrock: BedrockRuntimeClient;
let models: BedrockModelClient;

beforeAll(async () => {
  upstream = await startLocalBedrock();
  bedrock = createLocalBedrockClient(upstream.url);
  models = createBedrockClient(bedrock);
});

afterAll(async () => {
  bedrock.destroy();
  await upstream.stop();
});

const prepared = (): PreparedDescription => ({
  id: 'd1',
  model: modelInfo(LOCAL_MODEL_ID),
  entry: resolveModel(LOCAL_MODEL_ID)!.entry,
  request: { modelId: LOCAL_MODEL_ID, images: [], turns: [{ role: 'user', text: 'Describe.' }], maxTokens: 1024 },
  family: 'anthropic-messages',
  images: [],
  imageTokens: 0,
  inputTokensEstimate: 0,
});

/** Reads every event, pausing `delayMs` after each one like a consumer stuck on a slow socket. */
async function consume(events: AsyncIterable<DescriptionEvent>, delayMs = 0): Promise<DescriptionEvent[]> {
  const received: DescriptionEvent[] = [];
  for await (const event of events) {
    received.push(event);
    if (delayMs > 0) await sleep(delayMs);
  }
  return received;
}

const textChunks = (events: DescriptionEvent[]) =>
  events.filter((e): e is DescriptionChunk => !('error' in e) && !e.done);
const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i} `);

describe('coalescing deltas in the subscription source', () => {
  it('hands each delta over as its own chunk, at once, when the consumer keeps up', async () => {
    const deltas = words(20);
    upstream.script({ kind: 'text', deltas, paceMs: 5, usage: { inputTokens: 1, outputTokens: 20 } });
    const events = await consume(describeImageEvents(prepared(), models));
    expect(textChunks(events).map((c) => c.text)).toEqual(deltas);
    expect(events.map((e) => (e as DescriptionChunk).index)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)).toMatchObject({ done: true, index: 20, usage: { outputTokens: 20 } });
  });

  it('merges the deltas queued behind a slow consumer into fewer chunks, losslessly and in order', async () => {
    // Multi-byte text split inside UTF-8 sequences and surrogate pairs, a delta
    // every millisecond or so: faster than a consumer taking 10 ms per chunk.
    const deltas = [...words(300), 'Héllo ', '\ud83d', '\ude00 wörld, ', '日本', '語 ', '👋🏽', '!'];
    upstream.script({ kind: 'text', deltas, paceMs: 1, usage: { inputTokens: 1, outputTokens: deltas.length } });
    const events = await consume(describeImageEvents(prepared(), models), 10);
    const chunks = textChunks(events);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.length).toBeLessThan(deltas.length / 2);
    expect(chunks.map((c) => c.text).join('')).toBe(deltas.join(''));
    expect(chunks.every((c) => c.text.isWellFormed())).toBe(true);
    // index counts the chunks sent, so a client still sees 0, 1, 2, … with no gaps.
    expect(events.map((e) => (e as DescriptionChunk).index)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)).toMatchObject({ done: true, stopReason: 'end_turn', usage: { outputTokens: deltas.length } });
  });

  it('delivers the text received before a mid-stream failure ahead of the error', async () => {
    const deltas = words(50);
    upstream.script({ kind: 'stream-error', deltas, exceptionType: 'modelStreamErrorException', message: 'boom' });
    const events = await consume(describeImageEvents(prepared(), models), 10);
    const last = events.at(-1)!;
    expect('error' in last && (last.error as { extensions?: { code?: string } }).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(textChunks(events).map((c) => c.text).join('')).toBe(deltas.join(''));
  });

  it('aborts the upstream call when the consumer returns while a next() is pending', async () => {
    upstream.script({ kind: 'hang' });
    const requested = upstream.nextRequest();
    const events = describeImageEvents(prepared(), models);
    const pending = events.next();
    const request = await requested;
    await events.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await request.settled).toBe('aborted');
  });
});
