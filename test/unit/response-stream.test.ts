import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder, BedrockStreamException } from '../../api/bedrock/response-stream.js';
import { encodeChunkEvent, encodeExceptionEvent, encodeRawChunk } from '../../api/local/event-stream.js';

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
    expect(() => decode([frame(`{"bytes":"${base64}"`)])).toThrow(SyntaxError);
  });

  it('fails on a chunk that is not an Anthropic event', () => {
    expect(() => decode([encodeRawChunk('{"type": "content_block_delta", "delta": ')])).toThrow(SyntaxError);
  });
});
