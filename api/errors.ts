import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

/**
 * The one table of error codes a client can see in `extensions.code`.
 * These strings are part of the API contract: add codes, never rename them.
 * Anything not listed here is masked by yoga as `INTERNAL_SERVER_ERROR`.
 */
export const ErrorCode = {
  /** A value is missing, malformed or out of range. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The bytes are not a JPEG, PNG, GIF or WebP image. */
  IMAGE_UNSUPPORTED: 'IMAGE_UNSUPPORTED',
  /** The bytes claim a supported format but cannot be decoded (truncated, corrupt). */
  IMAGE_CORRUPT: 'IMAGE_CORRUPT',
  /** An image (or all of them together) is over a size or pixel limit. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** Too many images in one request. */
  TOO_MANY_IMAGES: 'TOO_MANY_IMAGES',
  /** The whole request would exceed Bedrock's payload limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** An `uploadId` is unknown or has expired. */
  UPLOAD_NOT_FOUND: 'UPLOAD_NOT_FOUND',
  /** The model is not on this server's allow-list. */
  MODEL_NOT_ALLOWED: 'MODEL_NOT_ALLOWED',
  /** The model is past its end of life on Bedrock; `extensions.replacement` names AWS's recommended successor. */
  MODEL_END_OF_LIFE: 'MODEL_END_OF_LIFE',
  /** Bedrock refused: no model access, or the credentials lack permission. */
  UPSTREAM_ACCESS_DENIED: 'UPSTREAM_ACCESS_DENIED',
  /** Bedrock is throttling this account. */
  UPSTREAM_THROTTLED: 'UPSTREAM_THROTTLED',
  /** Bedrock (or the model) did not answer in time. */
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /** Bedrock or the model is unavailable or not ready. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** Bedrock rejected the request as invalid. */
  UPSTREAM_VALIDATION: 'UPSTREAM_VALIDATION',
  /** A per-key or server-wide limit refused the request before any upstream call. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Image preparation is at its memory/concurrency limit and this request waited too long for a turn; retryable. */
  SERVER_BUSY: 'SERVER_BUSY',
  /** The server is draining for shutdown and takes no new requests. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** No valid API key was given. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The client went away (or aborted) before the answer was ready. */
  CANCELLED: 'CANCELLED',
  /** Any other failure reported by Bedrock. */
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  /** The shared store (Redis) did not answer; nothing was billed. Retry in a moment. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** A "simple" request (form, multipart, GET) without a CSRF header (`x-graphql-yoga-csrf`). */
  CSRF_REFUSED: 'CSRF_REFUSED',
  /** The query is over a graphql-armor cap (aliases, depth, tokens, directives, cost). */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure: shown to the client as is, with its code. */
export function gatewayError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return createGraphQLError(message, { extensions: { ...extensions, code } });
}

export function errorCodeOf(error: unknown): string | undefined {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return typeof extensions?.code === 'string' ? extensions.code : undefined;
}

/** 401 with a Bearer challenge: no or a wrong API key. */
export function unauthenticated(message: string): GraphQLError {
  return createGraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="bedrock-vision-gateway"' } },
    },
  });
}

/**
 * A value cut to at most `max` characters for an error message, so a message
 * never echoes unbounded input back (a 200 KB model id came back whole).
 */
export function truncateForMessage(value: string, max = 80): string {
  if (value.length <= max) return value;
  // Never cut between the halves of a surrogate pair (an emoji): half of one is no character.
  const end = /[\ud800-\udbff]/.test(value[max - 2] ?? '') ? max - 2 : max - 1;
  return `${value.slice(0, end)}… (${value.length} characters)`;
}
