import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';

/**
 * The client for real Bedrock. Everything not overridden comes from the SDK's
 * own configuration (credential chain, AWS_REGION, AWS_PROFILE,
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_MAX_ATTEMPTS), so nothing here shadows it.
 */
export function createAwsBedrockClient(overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient(overrides);
}

/**
 * The same SDK client pointed at the embedded endpoint. The endpoint does not
 * check signatures, but the SDK still signs, so it is given placeholder keys.
 */
export function createLocalBedrockClient(endpoint: string, overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...overrides,
  });
}
