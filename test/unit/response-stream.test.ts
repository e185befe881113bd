import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder, buildMessagesBody } from '../../api/bedrock/adapters/anthropic-messages.js';
import { buildConverseInput, ConverseStreamDecoder, providerOf } from '../../api/bedrock/adapters/converse.js';
import { BedrockStreamException, MalformedStreamError } from '../../api/bedrock/event-stream.js';
import type { ModelRequest } from '../../api/bedrock/model-request.js';
import { encodeChunkEvent, encodeConverseEvent, encodeExceptionEvent, encodeRawChunk, encodeRawEvent } from '../../api/local/event-stream.js';

// Frames come from the project's encoder, which uses the SDK's own codec, so
// these check the hand-written reader against the SDK's framing (issue #5).

const delta = (text: string) => encodeChunkEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
const STREAM = Buffer.concat([
  encodeChunkEvent({ type: 'message_start', message: { usage: { input_tokens: 12, output_tokens: 1 } } }),
  encodeChunkEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ...['Héllo ', '\ud83d', '\ude00 wörld, ', '日本', '語 ', '👋🏽', '!'].map(delta),
  encodeChunkEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }),
  encodeChunkEvent({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 13, outputTokenCount: 8 } }),
]);

function decode(reads: Uint8Array[]) {
  const texts: string[] = [];
  const decoder = new AnthropicStreamDecoder((text) => texts.push(text));
  for (const read of reads) decoder.write(read);
  decoder.end();
  return { texts, decoder };
}

describe('decoding the event stream', () => {
  it('reads every message of one read, with usage and stop reason, and never splits a surrogate pair', () => {
    const { texts, decoder } = decode([STREAM]);
    expect(texts.join('')).toBe('Héllo 😀 wörld, 日本語 👋🏽!');
    expect(texts.every((t) => t.isWellFormed())).toBe(true);
    expect(decoder.stopReason).toBe('end_turn');
    expect(decoder.usage).toEqual({ inputTokens: 13, outputTokens: 8 });
  });

  it('reassembles messages split across reads at any byte', () => {
    const whole = decode([STREAM]).texts.join('');
    for (let cut = 1; cut < STREAM.length; cut += 7) {
      expect(decode([STREAM.subarray(0, cut), STREAM.subarray(cut)]).texts.join('')).toBe(whole);
    }
    const byteByByte = Array.from(STREAM, (byte) => Uint8Array.of(byte));
    expect(decode(byteByByte).texts.join('')).toBe(whole);
  });

  it('refuses a corrupted message and a stream cut inside a message', () => {
    const corrupted = Buffer.from(STREAM);
    corrupted[40] = corrupted[40]! ^ 0xff;
    expect(() => decode([corrupted])).toThrow(/message checksum/);
    const badPrelude = Buffer.from(STREAM);
    badPrelude[5] = badPrelude[5]! ^ 0x01;
    expect(() => decode([badPrelude])).toThrow(/prelude checksum/);
    expect(() => decode([STREAM.subarray(0, STREAM.length - 3)])).toThrow(/Truncated/);
  });

  it('hands over the text before an exception, then throws it as the SDK names it', () => {
    const texts: string[] = [];
    const decoder = new AnthropicStreamDecoder((text) => texts.push(text));
    decoder.requestId = 'req-1';
    const reads = Buffer.concat([delta('one '), delta('two '), encodeExceptionEvent('throttlingException', 'slow down')]);
    let thrown: unknown;
    try {
      decoder.write(reads);
    } catch (error) {
      thrown = error;
    }
    expect(texts).toEqual(['one ', 'two ']);
    expect(thrown).toBeInstanceOf(BedrockStreamException);
    expect(thrown).toMatchObject({ name: 'ThrottlingException', message: 'slow down', $metadata: { requestId: 'req-1' } });
  });

  it('reads a PayloadPart written with padding, spaces or escaped slashes', () => {
    const event = JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '???>>> ~~ ' } });
    const base64 = Buffer.from(event).toString('base64');
    expect(base64).toContain('/');
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const header = (value: string) => ({ type: 'string' as const, value });
    const frame = (body: string) =>
      codec.encode({
        headers: { ':message-type': header('event'), ':event-type': header('chunk'), ':content-type': header('application/json') },
        body: fromUtf8(body),
      });
    const escaped = base64.replaceAll('/', '\\/');
    expect(decode([frame(`{"p": "abcdefgh", "bytes" : "${escaped}"}`)]).texts).toEqual(['???>>> ~~ ']);
    expect(decode([frame(`{"bytes":"${escaped}","p":"abcdefgh"}`)]).texts).toEqual(['???>>> ~~ ']);
    expect(decode([frame(`{"bytes":"${base64}","p":"abcdefgh"}`)]).texts).toEqual(['???>>> ~~ ']);
    expect(decode([frame(`{"bytes":"","p":"abcdefgh"}`)]).texts).toEqual([]);
    expect(() => decode([frame(`{"bytes":"${base64}"`)])).toThrow(MalformedStreamError);
  });

  it('fails on a chunk that is not an Anthropic event, as a malformed stream (the upstream\'s fault)', () => {
    expect(() => decode([encodeRawChunk('{"type": "content_block_delta", "delta": ')])).toThrow(MalformedStreamError);
  });

  it('reads the cache counts of a cached prompt', () => {
    const { decoder } = decode([
      encodeChunkEvent({ type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 900 } } }),
      encodeChunkEvent({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 5, outputTokenCount: 3, cacheReadInputTokenCount: 900, cacheWriteInputTokenCount: 0 } }),
    ]);
    expect(decoder.usage).toEqual({ inputTokens: 5, outputTokens: 3, cacheReadInputTokens: 900, cacheWriteInputTokens: 0 });
  });
});

// ConverseStream frames: the ConverseStreamOutput member name as :event-type,
// its value as JSON (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html).
const converseDelta = (text: string) => encodeConverseEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text } });
const CONVERSE_STREAM = Buffer.concat([
  encodeConverseEvent('messageStart', { role: 'assistant' }),
  encodeConverseEvent('contentBlockStart', { contentBlockIndex: 0, start: {} }),
  ...['Héllo ', '\ud83d', '\ude00 wörld, ', '日本', '語 ', '👋🏽', '!'].map(converseDelta),
  encodeConverseEvent('contentBlockStop', { contentBlockIndex: 0 }),
  encodeConverseEvent('messageStop', { stopReason: 'max_tokens' }),
  encodeConverseEvent('metadata', {
    usage: { inputTokens: 13, outputTokens: 8, totalTokens: 921, cacheReadInputTokens: 900, cacheWriteInputTokens: 0 },
    metrics: { latencyMs: 321 },
  }),
]);

function decodeConverse(reads: Uint8Array[]) {
  const texts: string[] = [];
  const decoder = new ConverseStreamDecoder((text) => texts.push(text));
  for (const read of reads) decoder.write(read);
  decoder.end();
  return { texts, decoder };
}

describe('decoding a ConverseStream body with the same framing', () => {
  it('reads text, stop reason, usage with cache counts and metrics, never splitting a surrogate pair', () => {
    const { texts, decoder } = decodeConverse([CONVERSE_STREAM]);
    expect(texts.join('')).toBe('Héllo 😀 wörld, 日本語 👋🏽!');
    expect(texts.every((t) => t.isWellFormed())).toBe(true);
    expect(decoder.stopReason).toBe('max_tokens');
    expect(decoder.usage).toEqual({ inputTokens: 13, outputTokens: 8, cacheReadInputTokens: 900, cacheWriteInputTokens: 0 });
    expect(decoder.upstreamLatencyMs).toBe(321);
  });

  it('reassembles messages split across reads at any byte', () => {
    const whole = decodeConverse([CONVERSE_STREAM]).texts.join('');
    for (let cut = 1; cut < CONVERSE_STREAM.length; cut += 5) {
      expect(decodeConverse([CONVERSE_STREAM.subarray(0, cut), CONVERSE_STREAM.subarray(cut)]).texts.join('')).toBe(whole);
    }
  });

  it('hands over the text before an exception frame, then throws it', () => {
    const texts: string[] = [];
    const decoder = new ConverseStreamDecoder((text) => texts.push(text));
    expect(() => decoder.write(Buffer.concat([converseDelta('one '), encodeExceptionEvent('modelStreamErrorException', 'boom')]))).toThrow(
      BedrockStreamException,
    );
    expect(texts).toEqual(['one ']);
  });

  it('refuses a payload that is not JSON and a truncated body', () => {
    expect(() => decodeConverse([encodeRawEvent('contentBlockDelta', '{"delta": ')])).toThrow(MalformedStreamError);
    expect(() => decodeConverse([CONVERSE_STREAM.subarray(0, CONVERSE_STREAM.length - 2)])).toThrow(/Truncated/);
  });
});

const jpeg = { format: 'jpeg' as const, mediaType: 'image/jpeg', bytes: Uint8Array.of(1, 2, 3) };
const REQUEST: ModelRequest = {
  modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
  images: [jpeg, { ...jpeg, format: 'png', mediaType: 'image/png' }],
  turns: [
    { role: 'user', text: 'What is this?' },
    { role: 'assistant', text: 'A test card.' },
    { role: 'user', text: 'Which colours?' },
    { role: 'assistant', text: 'The colours are' },
  ],
  system: 'Be brief.',
  maxTokens: 300,
  temperature: 0.2,
  topK: 40,
  stopSequences: ['END'],
  cacheImages: true,
};

describe('building a request from one ModelRequest', () => {
  it('Anthropic Messages: images then text in the first user turn, cache_control on the last image, the last assistant turn a prefill', () => {
    const body = JSON.parse(buildMessagesBody(REQUEST));
    expect(body).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 300, system: 'Be brief.', temperature: 0.2, top_k: 40, stop_sequences: ['END'] });
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(body.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AQID' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AQID' }, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'What is this?' },
    ]);
    expect(body.messages[3].content).toEqual([{ type: 'text', text: 'The colours are' }]);
    expect(JSON.parse(buildMessagesBody({ ...REQUEST, cacheImages: false })).messages[0].content[1].cache_control).toBeUndefined();
  });

  it('Converse: image blocks, a cache point after them, inferenceConfig, and topK under the provider\'s own name', () => {
    const input = buildConverseInput(REQUEST);
    expect(input.system).toEqual([{ text: 'Be brief.' }]);
    expect(input.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0.2, stopSequences: ['END'] });
    expect(input.additionalModelRequestFields).toEqual({ top_k: 40 });
    expect(input.messages![0]!.content).toEqual([
      { image: { format: 'jpeg', source: { bytes: jpeg.bytes } } },
      { image: { format: 'png', source: { bytes: jpeg.bytes } } },
      { cachePoint: { type: 'default' } },
      { text: 'What is this?' },
    ]);
    expect(input.messages!.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'The colours are' }] });
    const nova = buildConverseInput({ ...REQUEST, modelId: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0' });
    expect(nova.additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 40 } });
    expect(buildConverseInput({ ...REQUEST, topK: undefined }).additionalModelRequestFields).toBeUndefined();
    expect(providerOf('meta.llama3-2-11b-instruct-v1:0')).toBeUndefined();
    expect(() => buildConverseInput({ ...REQUEST, modelId: 'meta.llama3-2-11b-instruct-v1:0' })).toThrow(/topK is not supported/);
  });
});
