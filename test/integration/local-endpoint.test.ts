import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { LOCAL_KEEP_ALIVE_MS, startLocalBedrock } from '../../api/local/endpoint.js';

describe('the embedded Bedrock endpoint', () => {
  it('keeps serving after a client drops in the middle of a request body', async () => {
    const endpoint = await startLocalBedrock();
    try {
      const { port } = new URL(endpoint.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('POST /model/local.image-inspector/invoke HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"messages":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(`${endpoint.url}/model/local.image-inspector/invoke`, { method: 'POST', body: '{"messages": []}' });
      expect(response.status).toBe(200);
    } finally {
      await endpoint.stop();
    }
  });

  it("lets the gateway's client close an idle kept-alive connection before the endpoint would", async () => {
    const endpoint = await startLocalBedrock();
    const client = createLocalBedrockClient(endpoint.url);
    try {
      const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [] });
      await client.send(new InvokeModelCommand({ modelId: LOCAL_MODEL_ID, contentType: 'application/json', body }));
      expect(endpoint.openConnections).toBe(1); // kept alive for the next call
      // Half a second before the endpoint's own timeout the client has already closed it,
      // so no request can go out on a connection the endpoint is closing.
      await sleep(LOCAL_KEEP_ALIVE_MS - 500);
      expect(endpoint.openConnections).toBe(0);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });
});
