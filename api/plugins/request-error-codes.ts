import type { ExecutionResult, GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode, type ErrorCode as Code } from '../errors.js';
import { formatBytes } from '../images/decode-base64.js';

type Extensions = { code?: unknown; http?: { status?: number } } & Record<string, unknown>;

function recode(error: unknown, code: Code, status?: number): unknown {
  const original = error as { message?: unknown; extensions?: Extensions } | null;
  if (typeof original?.message !== 'string') return error;
  const http = { ...original.extensions?.http, ...(status ? { status } : {}) };
  return createGraphQLError(original.message, { extensions: { ...original.extensions, http, code } });
}

/** Yoga's refusals of a body over `maxRequestBodySize` or the multipart limits (413, or 400 for chunked multipart). */
function isTooLarge(error: unknown): boolean {
  const { message, extensions } = (error ?? {}) as { message?: unknown; extensions?: Extensions };
  if (extensions?.code === 'REQUEST_ENTITY_TOO_LARGE') return true;
  return extensions?.code === 'BAD_REQUEST' && typeof message === 'string' && /too large|limit exceeded/i.test(message);
}

/**
 * Gives a plugin's request-time refusals (thrown from `onRequestParse`, e.g.
 * the CSRF check) a code from the ErrorCode table, keeping their HTTP status.
 */
export function withRequestErrorCode(plugin: Plugin, code: Code): Plugin {
  const { onRequestParse } = plugin;
  if (!onRequestParse) return plugin;
  return {
    ...plugin,
    onRequestParse(payload) {
      try {
        return onRequestParse(payload);
      } catch (error) {
        throw recode(error, code);
      }
    },
  };
}

/**
 * A body over a size limit is 413 `PAYLOAD_TOO_LARGE` whatever its encoding:
 * yoga answers a chunked multipart body that runs over with 400 `BAD_REQUEST`
 * ("invalid multipart data"), and a JSON body with its own code. Both are
 * thrown inside yoga's request handling, so they are recoded on the way out.
 */
export function usePayloadTooLargeCode(maxRequestBytes: number): Plugin {
  const bodyMessage =
    `The request body is over the ${formatBytes(maxRequestBytes)} limit. ` +
    'Send fewer or smaller images, or upload them one at a time with uploadImage.';
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result) || Array.isArray(result)) return;
      const errors = (result as ExecutionResult).errors;
      if (!errors?.some(isTooLarge)) return;
      setResult({
        ...(result as ExecutionResult),
        errors: errors.map((error) => {
          if (!isTooLarge(error)) return error;
          // "Request body too large" does not say what the limit is; the file-size message does.
          const message = /request body too large/i.test(error.message) ? bodyMessage : error.message;
          return recode({ message, extensions: error.extensions }, ErrorCode.PAYLOAD_TOO_LARGE, 413) as GraphQLError;
        }),
      });
    },
  };
}
