import http from 'node:http';
import https from 'node:https';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AnsweredOnlyRetryStrategy } from './retry-strategy.js';

/**
 * HTTP/1.1 with kept-alive connections, instead of the client's default
 * HTTP/2 handler, which opens a new connection for every event stream (the
 * SDK keeps HTTP/2 sessions single-use for streams, for the bidirectional
 * operations we do not use): one TCP and TLS handshake per description. A
 * kept-alive pool reuses warm connections. No socket cap here: the gateway's
 * admission limits bound concurrent calls, and a pool cap would queue a
 * request silently instead.
 *
 * An idle pooled connection is closed after IDLE_SOCKET_MS, or earlier when
 * the server announces a shorter keep-alive (Node's agent then closes it a
 * second before the server would), so a request rarely goes out on a
 * connection the other end is closing. One that fails once the request is
 * out is not retried (AnsweredOnlyRetryStrategy): Bedrock may be running it.
 */
const IDLE_SOCKET_MS = 60_000;

export function bedrockRequestHandler(): NodeHttpHandler {
  const agent = { keepAlive: true, maxSockets: Infinity, timeout: IDLE_SOCKET_MS };
  return new NodeHttpHandler({ httpAgent: new http.Agent(agent), httpsAgent: new https.Agent(agent) });
}

/**
 * The client for real Bedrock. Everything but the request handler comes from
 * the SDK's own configuration (credential chain, AWS_REGION, AWS_PROFILE,
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_MAX_ATTEMPTS), so nothing here shadows it.
 */
export function createAwsBedrockClient(overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return withAnsweredOnlyRetries({ ...overrides, requestHandler: overrides.requestHandler ?? bedrockRequestHandler() });
}

/**
 * A client whose retry strategy sends a request again only when Bedrock
 * refused it (see AnsweredOnlyRetryStrategy). Max attempts stay the SDK's
 * setting (maxAttempts, AWS_MAX_ATTEMPTS, the shared config), read from the
 * client's resolved config when a retry is considered.
 */
function withAnsweredOnlyRetries(config: BedrockRuntimeClientConfig): BedrockRuntimeClient {
  if (config.retryStrategy) return new BedrockRuntimeClient(config);
  let client: BedrockRuntimeClient | undefined;
  const retryStrategy = new AnsweredOnlyRetryStrategy(() => client!.config.maxAttempts());
  client = new BedrockRuntimeClient({ ...config, retryStrategy });
  return client;
}

/**
 * The same SDK client pointed at the embedded endpoint. The endpoint does not
 * check signatures, but the SDK still signs, so it is given placeholder keys.
 */
export function createLocalBedrockClient(endpoint: string, overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return withAnsweredOnlyRetries({
    endpoint,
    ...LOCAL_IDENTITY,
    maxAttempts: 1,
    ...overrides,
    requestHandler: overrides.requestHandler ?? bedrockRequestHandler(),
  });
}

/** The local placeholder identity: the embedded endpoint checks no signature. */
const LOCAL_IDENTITY = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** A control-plane client (ListFoundationModels, ListInferenceProfiles) pointed at the embedded endpoint. */
export function createLocalControlPlaneClient(endpoint: string): BedrockClient {
  return new BedrockClient({ endpoint, ...LOCAL_IDENTITY, maxAttempts: 1 });
}
