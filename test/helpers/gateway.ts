import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../../api/config.js';
import { createServer, type GatewayServer } from '../../api/server.js';

/**
 * A real gateway on a free loopback port. Local mode by default (embedded
 * endpoint, zero pacing); pass env to change anything the way main.ts would.
 */
export async function startGateway(
  env: Record<string, string> = {},
  bedrockClientConfig?: BedrockRuntimeClientConfig,
  options: { logger?: Logger } = {},
): Promise<GatewayServer & { config: Config; graphqlUrl: string; wsUrl: string }> {
  const config = loadConfig({ BEDROCK_MODE: 'local', LOCAL_MODEL_PACE_MS: '0', HOST: '127.0.0.1', PORT: '0', ...env });
  const server = await createServer(config, { bedrockClientConfig, logger: options.logger });
  await server.start();
  return Object.assign(server, {
    config,
    graphqlUrl: `${server.url}/graphql`,
    wsUrl: `${server.url.replace('http', 'ws')}/graphql`,
  });
}
