/**
 * The system under test: the real gateway (createServer, local mode) with its
 * SDK client pointed at the upstream process, plus, on a second port, the
 * simplest alternative to compare against: a plain chunked-HTTP relay of the
 * same SDK stream (the shape of the original Go demo: for each delta,
 * write it to the response and flush).
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { loadConfig } from '../../api/config.js';
import { createServer } from '../../api/server.js';
import { serveParent } from '../lib/children.js';

const upstreamUrl = process.env.BENCH_UPSTREAM_URL!;
const config = loadConfig({
  BEDROCK_MODE: 'local',
  LOCAL_MODEL_PACE_MS: '0',
  HOST: '127.0.0.1',
  PORT: '0',
  ...(JSON.parse(process.env.BENCH_GATEWAY_ENV ?? '{}') as Record<string, string>),
});
const server = await createServer(config, { bedrockClientConfig: { endpoint: upstreamUrl } });
await server.start();

const relayClient = createLocalBedrockClient(upstreamUrl);
const decoder = new TextDecoder();
const relay = http.createServer(async (req, res) => {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  try {
    const response = await relayClient.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: LOCAL_MODEL_ID,
        contentType: 'application/json',
        accept: 'application/json',
        body: Buffer.concat(parts).toString('utf8'),
      }),
      { abortSignal: controller.signal },
    );
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for await (const event of response.body!) {
      const bytes = event.chunk?.bytes;
      if (!bytes) continue;
      const message = JSON.parse(decoder.decode(bytes)) as { type: string; delta?: { text?: string } };
      if (message.type !== 'content_block_delta' || !message.delta?.text) continue;
      // Like a blocking write + Flush in Go: wait when the socket is full.
      if (!res.write(message.delta.text)) await once(res, 'drain');
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(error));
  }
});
relay.listen(0, '127.0.0.1');
await once(relay, 'listening');

serveParent(
  {
    gc: () => {
      globalThis.gc?.();
      globalThis.gc?.();
      return process.memoryUsage();
    },
    memory: () => process.memoryUsage(),
    /** Cumulative event-loop idle/active time: how busy the one JavaScript thread was. */
    elu: () => performance.eventLoopUtilization(),
    exit: async () => {
      relay.close();
      relayClient.destroy();
      await server.stop();
      setImmediate(() => process.exit(0));
    },
  },
  {
    graphqlUrl: `${server.url}/graphql`,
    wsUrl: `${server.url.replace('http', 'ws')}/graphql`,
    relayUrl: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`,
  },
);
