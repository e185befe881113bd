import type { ModelTurn } from '../../bedrock/model-request.js';
import { ErrorCode, gatewayError } from '../../errors.js';

/** A turn as a client sends it in `DescribeImageInput.history`. */
export interface ConversationTurnInput {
  role: 'USER' | 'ASSISTANT';
  text: string;
}

/** What a conversation adds to a describe request. */
export interface ConversationInput {
  history?: readonly ConversationTurnInput[] | null;
  /** The new question (already defaulted). */
  prompt: string;
  answerPrefix?: string | null;
}

/** Default for `MAX_HISTORY_TURNS`: ten questions and their answers. */
export const DEFAULT_MAX_HISTORY_TURNS = 20;

/**
 * One whitespace character as any party counts it: JavaScript's `\s` leaves
 * out the separators U+001C–U+001F and NEL (U+0085), which Java's
 * `Character.isWhitespace` and Python's `str.isspace` count, so text that
 * looks written here can be "blank" upstream.
 */
const SPACE = /^[\s\x1c-\x1f\x85]$/;

/** True when `text` holds nothing but whitespace (see SPACE). */
export function isBlank(text: string): boolean {
  return /^[\s\x1c-\x1f\x85]*$/.test(text);
}

/** `text` without trailing whitespace (see SPACE); a loop, as a `[…]+$` regex is quadratic on long runs. */
function trimEndSpace(text: string): string {
  let end = text.length;
  while (end > 0 && SPACE.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

function badHistory(message: string, extensions: Record<string, unknown> = {}) {
  return gatewayError(ErrorCode.BAD_USER_INPUT, message, { field: 'history', ...extensions });
}

/**
 * Checks a conversation before anything is billed: history starts with the
 * user, alternates, ends with the assistant (the new prompt is the next user
 * turn), has no blank turn and is at most `maxTurns` long; a given
 * `answerPrefix` is not blank. Both APIs refuse a broken order, so refusing
 * it here saves a billed round trip that could only fail.
 */
export function checkConversation(input: ConversationInput, maxTurns: number): void {
  const history = input.history ?? [];
  if (history.length > maxTurns) {
    throw badHistory(`history holds ${history.length} turns; this server takes at most ${maxTurns}. Start a new conversation.`, {
      maxHistoryTurns: maxTurns,
    });
  }
  history.forEach((turn, index) => {
    const expected = index % 2 === 0 ? 'USER' : 'ASSISTANT';
    if (turn.role !== expected) {
      throw badHistory(
        `history[${index}] is a ${turn.role} turn where a ${expected} turn belongs: history starts with USER and alternates USER, ASSISTANT.`,
      );
    }
    if (isBlank(turn.text)) throw badHistory(`history[${index}] is blank; every turn needs text.`);
  });
  if (history.length % 2 === 1) {
    throw badHistory('history must end with an ASSISTANT turn: the new prompt is the next USER turn.');
  }
  if (input.answerPrefix !== null && input.answerPrefix !== undefined && isBlank(input.answerPrefix)) {
    // Both APIs refuse a final assistant turn that is only whitespace.
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'answerPrefix must not be blank; leave it out to let the model start.', {
      field: 'answerPrefix',
    });
  }
}

/**
 * The turns sent upstream: the history in order (its first user turn is the
 * one the images belong to), then the new prompt, then the answer prefix as a
 * final assistant turn the model continues. Call after checkConversation.
 */
export function buildTurns(input: ConversationInput): ModelTurn[] {
  const turns: ModelTurn[] = (input.history ?? []).map((turn) => ({
    role: turn.role === 'USER' ? 'user' : 'assistant',
    text: turn.text,
  }));
  turns.push({ role: 'user', text: input.prompt });
  const prefix = sentPrefix(input.answerPrefix);
  if (prefix) turns.push({ role: 'assistant', text: prefix });
  return turns;
}

/**
 * The answer prefix as sent: without trailing whitespace, which Anthropic's
 * Messages API refuses in a final assistant turn ("final assistant content
 * cannot end with trailing whitespace"); the model writes the space itself.
 */
export function sentPrefix(answerPrefix: string | null | undefined): string | undefined {
  return answerPrefix ? trimEndSpace(answerPrefix) || undefined : undefined;
}
