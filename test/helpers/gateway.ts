import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
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

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/**
 * A gateway for the whole file (or `describe` block): started in its own
 * beforeAll and stopped in its own afterAll, so a test file needs no pair of
 * hooks of its own. The returned object stands for the started server; use it
 * inside tests and later hooks, not at the top level.
 */
export function useGateway(...args: Parameters<typeof startGateway>): Gateway {
  let server: Gateway | undefined;
  beforeAll(async () => {
    server = await startGateway(...args);
  });
  afterAll(() => server?.stop());
  return new Proxy({} as Gateway, {
    get(_target, key) {
      if (!server) throw new Error('useGateway: the gateway starts in beforeAll; use it inside a test or a later hook');
      // The server's methods are closures (no `this`), so they are handed out as they are.
      return Reflect.get(server, key, server);
    },
  });
}
