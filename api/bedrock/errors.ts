import type { GraphQLError } from 'graphql';
import { ErrorCode, gatewayError, truncateForMessage } from '../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** What Bedrock (or the network) said, for the server log only: it can hold account ids and ARNs. */
export interface UpstreamDetail {
  name: string;
  message: string;
  code?: string;
  httpStatusCode?: number;
  requestId?: string;
}

const DETAIL = Symbol('upstreamDetail');

/** The upstream's own words behind an error from mapBedrockError, to log with the request id. */
export function upstreamDetailOf(error: unknown): UpstreamDetail | undefined {
  return (error as { [DETAIL]?: UpstreamDetail } | null)?.[DETAIL];
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Maps a failure from the Bedrock SDK (before or inside a stream) to a typed
 * GraphQL error a person can act on. Returns undefined for anything that is
 * not from Bedrock or the network, which then stays masked as a bug.
 *
 * The client-facing message is the gateway's own: Bedrock's text can carry
 * the account id and role ARN ("User: arn:aws:sts::123456789012:assumed-role/…")
 * and echoes of the input, so it only goes to the server log, through
 * upstreamDetailOf() (issue #9).
 * Exception names: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
export function mapBedrockError(error: unknown, modelId: string): GraphQLError | undefined {
  const mapped = mapToGatewayError(error, truncateForMessage(modelId));
  if (mapped) {
    const e = (error ?? {}) as SdkError;
    const detail: UpstreamDetail = {
      name: e.name ?? 'Error',
      message: e.message ?? '',
      ...(e.code && { code: e.code }),
      ...(e.$metadata?.httpStatusCode !== undefined && { httpStatusCode: e.$metadata.httpStatusCode }),
      ...(e.$metadata?.requestId && { requestId: e.$metadata.requestId }),
    };
    Object.defineProperty(mapped, DETAIL, { value: detail, enumerable: false });
  }
  return mapped;
}

function mapToGatewayError(error: unknown, modelId: string): GraphQLError | undefined {
  const e = (error ?? {}) as SdkError;
  const name = (e.name ?? '').toLowerCase();
  const requestId = e.$metadata?.requestId;
  const extensions = { modelId, ...(requestId && { upstreamRequestId: requestId }) };

  if ((e.code && NETWORK_CODES.has(e.code)) || (!e.$metadata?.httpStatusCode && /socket hang up|ECONNRESET/i.test(e.message ?? ''))) {
    // First: the SDK's HTTP handler names a reset connection TimeoutError (so its retry
    // strategy counts it as transient), which is not a slow model. After the request
    // was sent it is not retried (the model may already be running): see retry-strategy.ts.
    return gatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `The connection to Bedrock failed${e.code ? ` (${e.code})` : ''}. Try again; if it persists, check the network and AWS_ENDPOINT_URL_BEDROCK_RUNTIME if set.`,
      extensions,
    );
  }
  switch (name) {
    case 'accessdeniedexception':
    case 'unrecognizedclientexception':
    case 'expiredtokenexception':
    case 'credentialsprovidererror':
      return gatewayError(
        ErrorCode.UPSTREAM_ACCESS_DENIED,
        `Bedrock refused access to ${modelId}. Request access to this model in the Amazon Bedrock console ` +
          `(Model access) for this region, and check that the credentials allow bedrock:InvokeModel and ` +
          `bedrock:InvokeModelWithResponseStream. The server log has Bedrock's full answer.`,
        extensions,
      );
    case 'throttlingexception':
    case 'servicequotaexceededexception':
      return gatewayError(
        ErrorCode.UPSTREAM_THROTTLED,
        `Bedrock is throttling requests to ${modelId}. Try again in a few seconds, or ask AWS for a higher quota.`,
        extensions,
      );
    case 'modeltimeoutexception':
    case 'timeouterror':
      return gatewayError(ErrorCode.UPSTREAM_TIMEOUT, `The model ${modelId} took too long to answer. Try again.`, extensions);
    case 'serviceunavailableexception':
    case 'modelnotreadyexception':
      return gatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `Bedrock or the model ${modelId} is unavailable right now. Try again shortly.`, extensions);
    case 'validationexception':
      return gatewayError(
        ErrorCode.UPSTREAM_VALIDATION,
        `Bedrock rejected the request to ${modelId} as invalid. Check the parameters against the model's limits; the server log has Bedrock's full answer.`,
        extensions,
      );
    case 'resourcenotfoundexception':
      return gatewayError(ErrorCode.UPSTREAM_ERROR, `Bedrock has no model ${modelId} in this region; check the model id and AWS_REGION.`, extensions);
    case 'malformedstreamerror':
      return gatewayError(ErrorCode.UPSTREAM_ERROR, `Bedrock sent an answer for ${modelId} that could not be read. Try again.`, extensions);
  }
  if (e.$fault || e.$metadata) {
    return gatewayError(ErrorCode.UPSTREAM_ERROR, `Bedrock failed to answer for ${modelId}. Try again.`, extensions);
  }
  return undefined;
}
