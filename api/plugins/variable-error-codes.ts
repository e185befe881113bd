import { GraphQLError, type ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * A quoted string in a message, escapes included (graphql-js quotes values as
 * JSON or GraphQL strings, both with `\"`). A quote followed by a space closes
 * one (`"$input" got…`), so it is not taken as opening the text up to the next quote.
 */
const QUOTED = /"(?!\s)((?:[^"\\]|\\.){40})(?:[^"\\]|\\.){8,}"/gu;
/** The most of a message kept at each end: the head names the variable, the tail the path and reason. */
const KEEP_CHARS = 300;

/**
 * graphql-js echoes the bad value or name (a variable, an inline literal, an
 * unknown field); a base64 image or a 200 KB string there would flood the client.
 * Quoted strings are cut to 40 characters (the pattern is unambiguous, so
 * this is linear); what is still long (an object key echoed unquoted) loses its middle.
 * Every cut falls between code points (the `u` flag; `between` at the ends), never inside an emoji.
 */
function shorten(message: string): string {
  const short = message.replace(QUOTED, '"$1…"');
  if (short.length <= 2 * KEEP_CHARS) return short;
  return `${short.slice(0, between(short, KEEP_CHARS))}…${short.slice(between(short, short.length - KEEP_CHARS))}`;
}

/** `at`, or one before it when `at` would split a surrogate pair. */
function between(text: string, at: number): number {
  return /[\udc00-\udfff]/.test(text[at] ?? '') && /[\ud800-\udbff]/.test(text[at - 1] ?? '') ? at - 1 : at;
}

function isVariableError(error: GraphQLError): boolean {
  return error.message.startsWith('Variable "$') && (!error.extensions?.code || error.extensions.code === ErrorCode.BAD_USER_INPUT);
}

/** Errors made here; passing them through again would pair up the wrong quotes. */
const tidied = new WeakSet<GraphQLError>();

/** The error with short messages and, for variable coercion errors, the code BAD_USER_INPUT; itself when nothing changes. */
function tidy(error: GraphQLError): GraphQLError {
  // An unexpected error (a resolver's plain Error) is left to yoga's masking:
  // remaking it here would make it look expected and unmask it.
  if (tidied.has(error) || (error.originalError && !(error.originalError instanceof GraphQLError))) return error;
  const message = shorten(error.message);
  const variable = isVariableError(error);
  // Yoga adds the JSON parser's own words for a body it cannot parse, and V8's quote that body whole.
  const original = error.extensions?.originalError as { message?: unknown } | undefined;
  const originalMessage = typeof original?.message === 'string' ? shorten(original.message) : original?.message;
  if (message === error.message && originalMessage === original?.message && (!variable || error.extensions?.code)) return error;
  let extensions = variable ? { ...error.extensions, code: ErrorCode.BAD_USER_INPUT } : error.extensions;
  if (originalMessage !== original?.message) extensions = { ...extensions, originalError: { ...original, message: originalMessage } };
  const result = createGraphQLError(message, { nodes: error.nodes, path: error.path, extensions });
  tidied.add(result);
  return result;
}

/** Tidies a list of errors (also used by the graphql-ws adapter for errors it sends itself). */
export function tidyErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map(tidy);
}

function withCodes(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = tidyErrors(result.errors);
  if (errors.every((error, i) => error === result.errors![i])) return result;
  return { ...result, errors };
}

/**
 * Gives variable coercion errors (wrong types, a @oneOf input with two keys, a
 * File where a String belongs) the code BAD_USER_INPUT, which graphql-js leaves
 * out, and cuts echoed values short in every error message, on every transport.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(withCodes(result));
      },
    }),
    // Yoga's executor throws coercion and validation errors for queries and
    // mutations over HTTP; they reach the response here without passing onExecuteDone.
    onResultProcess: ({ result, setResult }) => {
      if (!isAsyncIterable(result) && !Array.isArray(result)) setResult(withCodes(result as ExecutionResult));
    },
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(withCodes(result));
      },
    }),
  };
}
