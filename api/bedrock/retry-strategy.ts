import { StandardRetryStrategy } from '@smithy/util-retry';

type RetryToken = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[0];
type RetryErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

/**
 * Network failures that happen before a connection exists: the request cannot
 * have reached Bedrock, so it is safe to send again.
 */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True for a failure after which the model may be running, and billing, the
 * answer: on a connection that existed, Bedrock did not answer with an HTTP
 * status (the request and its image-heavy body may have been sent), or it
 * answered with a success status and the body was then cut short (the model
 * ran; the SDK reports that as a network error with the 200 attached).
 */
export function mayHaveReachedBedrock(error: unknown): boolean {
  const e = error as { code?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  if (status !== undefined) return status < 300;
  if (e?.$response !== undefined) return false;
  return !NOT_CONNECTED_CODES.has(e?.code ?? '');
}

/**
 * The SDK's standard strategy (backoff, retry quota, max attempts), but a
 * retry only for what Bedrock refused with an error status before any stream
 * (throttling, 5xx) or a connection never made. A connection that fails after
 * the request went out (reset, hang-up, timeout) is not sent again, where the
 * standard strategy classes it as transient and sends the whole body up to
 * two more times (issue #9): the first attempt may already be billed.
 */
export class AnsweredOnlyRetryStrategy extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    if (mayHaveReachedBedrock(errorInfo.error)) throw new Error('Not retried: the request may have reached Bedrock.');
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}
