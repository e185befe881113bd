import type { GraphQLError } from 'graphql';
import { ErrorCode, gatewayError } from '../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

/**
 * Maps a failure from the Bedrock SDK (before or inside a stream) to a typed
 * GraphQL error a person can act on. Returns undefined for anything that is
 * not from Bedrock or the network, which then stays masked as a bug.
 * Exception names: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
export function mapBedrockError(error: unknown, modelId: string): GraphQLError | undefined {
  const e = (error ?? {}) as SdkError;
  const name = (e.name ?? '').toLowerCase();
  const requestId = e.$metadata?.requestId;
  const extensions = { modelId, ...(requestId && { upstreamRequestId: requestId }) };
  const said = e.message ? ` Bedrock said: ${e.message}` : '';

  switch (name) {
    case 'accessdeniedexception':
    case 'unrecognizedclientexception':
    case 'expiredtokenexception':
    case 'credentialsprovidererror':
      return gatewayError(
        ErrorCode.UPSTREAM_ACCESS_DENIED,
        `Bedrock refused access to ${modelId}. Request access to this model in the Amazon Bedrock console ` +
          `(Model access) for this region, and check that the credentials allow bedrock:InvokeModel and ` +
          `bedrock:InvokeModelWithResponseStream.${said}`,
        extensions,
      );
    case 'throttlingexception':
    case 'servicequotaexceededexception':
      return gatewayError(
        ErrorCode.UPSTREAM_THROTTLED,
        `Bedrock is throttling requests to ${modelId}. Try again in a few seconds, or ask AWS for a higher quota.${said}`,
        extensions,
      );
    case 'modeltimeoutexception':
    case 'timeouterror':
      return gatewayError(ErrorCode.UPSTREAM_TIMEOUT, `The model ${modelId} took too long to answer. Try again.${said}`, extensions);
    case 'serviceunavailableexception':
    case 'modelnotreadyexception':
      return gatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `Bedrock or the model ${modelId} is unavailable right now. Try again shortly.${said}`,
        extensions,
      );
    case 'validationexception':
      return gatewayError(ErrorCode.UPSTREAM_VALIDATION, `Bedrock rejected the request.${said}`, extensions);
    case 'resourcenotfoundexception':
      return gatewayError(
        ErrorCode.UPSTREAM_ERROR,
        `Bedrock has no model ${modelId} in this region; check the model id and AWS_REGION.${said}`,
        extensions,
      );
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return gatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `Could not reach Bedrock (${e.code}). Check the network and AWS_ENDPOINT_URL_BEDROCK_RUNTIME if set.`,
      extensions,
    );
  }
  if (e.$fault || e.$metadata) {
    return gatewayError(ErrorCode.UPSTREAM_ERROR, `Bedrock failed to describe the image.${said}`, extensions);
  }
  return undefined;
}
