import { ErrorCode, gatewayError } from '../../errors.js';
import type { Services } from '../container.js';
import type { DescribeImageInput } from './types.js';

function checkLength(name: string, value: string | null | undefined, max: number) {
  if (typeof value !== 'string') return;
  // JSON carries a lone surrogate ("\ud800") that is no character at all; Bedrock refuses the body it makes.
  if (!value.isWellFormed()) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} holds half of a character (a lone UTF-16 surrogate); send whole characters.`, {
      field: name,
    });
  }
  if (max <= 0 || value.length <= max) return;
  throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} is ${value.length} characters; the limit is ${max}.`, {
    field: name,
    limit: max,
  });
}

/**
 * Caps on the request's text, so a megabyte of prompt never reaches (and is
 * never billed by) Bedrock; every piece of text must also be well-formed
 * Unicode, or the upstream call could only fail.
 */
export function checkTextLengths(input: DescribeImageInput, limits: Services['textLimits']) {
  checkLength('prompt', input.prompt, limits.maxPromptChars);
  checkLength('system', input.system, limits.maxSystemChars);
  input.stopSequences?.forEach((stop, i) => checkLength(`stopSequences[${i}]`, stop, limits.maxStopSequenceChars));
  // A conversation's earlier turns and the answer prefix are sent (and billed) like the prompt.
  input.history?.forEach((turn, i) => checkLength(`history[${i}].text`, turn.text, limits.maxPromptChars));
  checkLength('answerPrefix', input.answerPrefix, limits.maxPromptChars);
  const total =
    (input.prompt?.length ?? 0) +
    (input.system?.length ?? 0) +
    (input.stopSequences ?? []).reduce((sum, s) => sum + s.length, 0) +
    (input.history ?? []).reduce((sum, turn) => sum + turn.text.length, 0) +
    (input.answerPrefix?.length ?? 0);
  if (limits.maxRequestTextChars > 0 && total > limits.maxRequestTextChars) {
    throw gatewayError(
      ErrorCode.BAD_USER_INPUT,
      `prompt, system, stopSequences, history and answerPrefix hold ${total} characters together; the limit is ${limits.maxRequestTextChars}.`,
      { limit: limits.maxRequestTextChars },
    );
  }
}
