import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { createLocalBedrockClient } from '../../api/bedrock/client.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { startLocalBedrock } from '../../api/local/endpoint.js';

const EMPTY_BODY = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [] });

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
    // The endpoint announces 3 s (Keep-Alive: timeout=3) and closes after that; the client's
    // agent closes a second before the announced time, at about 2 s.
    const endpoint = await startLocalBedrock({ keepAliveTimeoutMs: 3_000 });
    const client = createLocalBedrockClient(endpoint.url);
    try {
      await client.send(new InvokeModelCommand({ modelId: LOCAL_MODEL_ID, contentType: 'application/json', body: EMPTY_BODY }));
      expect(endpoint.openConnections).toBe(1); // kept alive for the next call
      await sleep(2_700);
      expect(endpoint.openConnections).toBe(0);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });

  it('drops the connection after reading a body, on HTTP/1.1 and HTTP/2, and keeps serving', async () => {
    const endpoint = await startLocalBedrock();
    const h1 = createLocalBedrockClient(endpoint.url);
    const h2 = new BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    try {
      for (const client of [h1, h2]) {
        endpoint.script({ kind: 'drop-after-body' });
        const send = () => client.send(new InvokeModelCommand({ modelId: LOCAL_MODEL_ID, contentType: 'application/json', body: EMPTY_BODY }));
        await expect(send()).rejects.toThrow();
        expect(endpoint.requests.at(-1)!.outcome).toBe('failed');
        expect((await send()).$metadata.httpStatusCode).toBe(200);
      }
      expect(endpoint.requests.map((r) => r.httpVersion)).toEqual(['1.1', '1.1', '2.0', '2.0']);
    } finally {
      h1.destroy();
      h2.destroy();
      await endpoint.stop();
    }
  });

  it('serves an SDK client on its default HTTP/2 handler: a whole stream, and an aborted one', async () => {
    const endpoint = await startLocalBedrock();
    const client = new BedrockRuntimeClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const streamOf = (signal?: AbortSignal) =>
      client.send(new InvokeModelWithResponseStreamCommand({ modelId: LOCAL_MODEL_ID, contentType: 'application/json', body: EMPTY_BODY }), {
        abortSignal: signal,
      });
    try {
      endpoint.script({ kind: 'text', deltas: ['one ', 'two ', 'three'] });
      let text = '';
      for await (const event of (await streamOf()).body!) {
        const chunk = JSON.parse(Buffer.from(event.chunk?.bytes ?? []).toString('utf8') || '{}') as { delta?: { text?: string } };
        text += chunk.delta?.text ?? '';
      }
      expect(text).toBe('one two three');
      expect(endpoint.requests.at(-1)).toMatchObject({ httpVersion: '2.0', outcome: 'completed' });

      endpoint.script({ kind: 'text', deltas: Array.from({ length: 100 }, (_, i) => `w${i} `), paceMs: 20 });
      const controller = new AbortController();
      const requested = endpoint.nextRequest();
      const response = await streamOf(controller.signal);
      for await (const event of response.body!) {
        if (event.chunk) break; // the first event is enough
      }
      controller.abort();
      expect(await (await requested).settled).toBe('aborted');
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });
});
