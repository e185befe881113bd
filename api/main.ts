import { existsSync } from 'node:fs';
import { allowListWarnings } from './bedrock/catalogue/checks.js';
import { loadConfig } from './config.js';
import { createLogger, logFormatFromEnv } from './logger.js';
import { createServer } from './server.js';

const logger = createLogger({
  format: logFormatFromEnv(process.env, process.stdout.isTTY === true),
  level: process.env.LOG_LEVEL || 'info',
});

const config = loadConfig();
let server;
try {
  server = await createServer(config, { logger });
  await server.start();
} catch (error) {
  // E.g. REDIS_URL set and Redis unreachable: say so and exit non-zero, so an
  // orchestrator restarts the replica instead of running it half-wired.
  logger.fatal({ err: error }, `Cannot start: ${(error as Error).message}`);
  process.exit(1);
}

if (server.localBedrock) {
  logger.warn(
    { bedrockMode: 'local', reason: config.bedrockModeReason, endpoint: server.localBedrock.url, model: config.defaultModelId },
    `LOCAL MODE (${config.bedrockModeReason}): descriptions come from the embedded offline model ${config.defaultModelId}, ` +
      'which measures images and is not Claude. To use Amazon Bedrock, configure AWS credentials ' +
      '(e.g. AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and AWS_REGION, or set BEDROCK_MODE=aws.',
  );
} else {
  const region = await server.services.bedrock.config.region().catch(() => undefined);
  if (!region) {
    logger.error('No AWS region configured: set AWS_REGION (e.g. us-east-1) to a region where you have Bedrock model access.');
    await server.stop();
    process.exit(1);
  }
  logger.info({ bedrockMode: 'aws', region, reason: config.bedrockModeReason, models: config.allowedModelIds }, `Using Amazon Bedrock in ${region}`);
}
for (const { modelId, warning } of allowListWarnings(config.allowedModelIds, { aliases: config.modelAliases })) {
  logger.warn({ modelId }, warning);
}
if (config.apiKeys.length === 0) {
  logger.warn(
    config.bedrockMode === 'aws'
      ? 'OPEN ACCESS: no API_KEYS configured, so anyone who can reach this port can spend your Bedrock budget.'
      : 'OPEN ACCESS: no API_KEYS configured (set them before exposing this server; see README "Deploying safely").',
  );
} else {
  logger.info({ keys: config.apiKeys.length }, 'API keys required (Authorization: Bearer <key>)');
}
if (existsSync(config.webRoot)) logger.info(`Web client on ${server.url}/`);
if (server.services.stores.kind === 'memory') {
  logger.info({ store: 'memory' }, 'Uploads and per-key limits are kept in this process (set REDIS_URL to share them between replicas)');
}
logger.info(`GraphQL (HTTP, SSE, WebSocket) and GraphiQL on ${server.url}/graphql`);

// First SIGINT/SIGTERM: drain (see README "Deploying safely"). A second one
// during the drain is deliberate: in-flight upstream calls are aborted and the
// process exits 1 at once.
let draining = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (draining) {
      logger.warn({ signal, inFlight: server.services.admission.active }, 'forced exit: second signal during shutdown');
      void server.services.admission.cancelAll();
      process.exit(1);
    }
    draining = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    void server.shutdown(config.shutdownGraceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
