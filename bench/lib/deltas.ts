/**
 * The text every benchmark stream carries, known to both ends: the upstream
 * process sends it and the load generator checks that it arrives byte-exact.
 * Each delta starts with its own index, so a lost, doubled or reordered delta
 * changes the text; some words are multi-byte (accents, CJK, an emoji with a
 * skin-tone modifier) so UTF-8 decoding is on the path too.
 */
const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'über ', 'naïve ', 'café, ', '日本語 ', '👋🏽 ', 'lazy ', 'dog; ', 'and\n'];

export function deltaText(stream: number, k: number): string {
  return `${k.toString(36)}·${WORDS[(stream + k) % WORDS.length]}`;
}

export function deltasFor(stream: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => deltaText(stream, k));
}

/** Cumulative UTF-16 length after each delta: where delta k ends in the reassembled text. */
export function deltaEnds(deltas: string[]): Uint32Array {
  const ends = new Uint32Array(deltas.length);
  let length = 0;
  deltas.forEach((delta, k) => (ends[k] = length += delta.length));
  return ends;
}

/** What a benchmark request asks of the upstream, carried in the prompt. */
export interface StreamSpec {
  /** Stream number: picks the text and keys the recorded send times. */
  stream: number;
  /** Number of text deltas. */
  deltas: number;
  /** Pause before each delta, ms (0: as fast as the socket takes them). */
  paceMs: number;
  /** Record when each delta was written, for lag. */
  timed?: boolean;
  /** Hold the answer until the parent releases it (see the upstream process). */
  held?: boolean;
}

const PREFIX = 'BENCH ';

export function specPrompt(spec: StreamSpec): string {
  return PREFIX + JSON.stringify(spec);
}

/** The spec in an Anthropic Messages body or a Converse body: the first text block of the first turn. */
export function specFromBody(body: unknown): StreamSpec | undefined {
  const messages = (body as { messages?: { content?: { text?: unknown }[] }[] }).messages;
  const text = messages?.[0]?.content?.find((part) => typeof part.text === 'string')?.text as string | undefined;
  if (!text?.startsWith(PREFIX)) return undefined;
  return JSON.parse(text.slice(PREFIX.length)) as StreamSpec;
}
