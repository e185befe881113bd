import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ WEB_ROOT: '/nonexistent' });


describe('HTTP surface', () => {
  it('lists the allowed models in-process, flagging the local default and its limits', async () => {
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { id isDefault isLocal maxImages maxImageBytes maxImageDimension recommendedLongEdge } serverInfo { bedrockMode } }' }),
    });
    expect(await response.json()).toEqual({
      data: {
        models: [
          {
            id: 'local.image-inspector',
            isDefault: true,
            isLocal: true,
            maxImages: 20,
            maxImageBytes: 3_750_000,
            maxImageDimension: 8000,
            recommendedLongEdge: 1568,
          },
        ],
        serverInfo: { bedrockMode: 'LOCAL' },
      },
    });
  });

  it('answers queries over GET too', async () => {
    const response = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ serverInfo { defaultModelId } }')}`, {
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(await response.json()).toEqual({ data: { serverInfo: { defaultModelId: 'local.image-inspector' } } });
  });

  it('opens GraphiQL on a ready example subscription with a sample image', async () => {
    const response = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    const page = await response.text();
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(page).toContain('subscription DescribeSample');
    expect(page).toContain('data:image/png;base64,');
  });

  it('sends / to GraphiQL when no web client is built, and answers /health', async () => {
    const root = await fetch(gateway.url, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
    expect(await (await fetch(`${gateway.url}/health`)).text()).toBe('ok');
  });
});
