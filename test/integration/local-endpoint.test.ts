import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startLocalBedrock } from '../../api/local/endpoint.js';

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
});
