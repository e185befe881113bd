import http from 'node:http';
import https from 'node:https';
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_KEEP_ALIVE_MS } from '../local/endpoint.js';

/**
 * HTTP/1.1 with kept-alive connections, instead of the client's default
 * HTTP/2 handler. That default opens a new connection for every event stream
 * (one TCP and TLS handshake per description: the SDK enforces single-use
 * HTTP/2 sessions for streams, for the bidirectional operations we do not
 * use); a kept-alive pool reuses warm connections, passes through HTTP
 * proxies that do not speak HTTP/2, and costs the relay less CPU per delta
 * (issue #5, README "Benchmarks"). No socket cap here: the gateway's own
 * admission limits bound concurrent calls, and a pool cap would queue a
 * request silently instead.
 */
export function bedrockRequestHandler(idleSocketTimeoutMs?: number): NodeHttpHandler {
  const agent = { keepAlive: true, maxSockets: Infinity, timeout: idleSocketTimeoutMs };
  return new NodeHttpHandler({ httpAgent: new http.Agent(agent), httpsAgent: new https.Agent(agent) });
}

/**
 * The client for real Bedrock. Everything but the request handler comes from
 * the SDK's own configuration (credential chain, AWS_REGION, AWS_PROFILE,
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_MAX_ATTEMPTS), so nothing here shadows it.
 */
export function createAwsBedrockClient(overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ requestHandler: bedrockRequestHandler(), ...overrides });
}

/**
 * The same SDK client pointed at the embedded endpoint. The endpoint does not
 * check signatures, but the SDK still signs, so it is given placeholder keys.
 * It does not retry, so it closes an idle connection a second before the
 * endpoint would: a request never goes out on a connection being closed.
 * (Against Bedrock the SDK retries such a reset like any network error.)
 */
export function createLocalBedrockClient(endpoint: string, overrides: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: bedrockRequestHandler(LOCAL_KEEP_ALIVE_MS - 1_000),
    ...overrides,
  });
}
