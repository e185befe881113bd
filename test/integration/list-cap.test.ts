import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { collectWs, postGraphQL, wsClient } from '../helpers/graphql.js';

// GraphQL coerces every item of a list variable before a resolver can refuse
// the request, so over-long lists are refused before that, on every transport.

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const gateway = useGateway({ MAX_LIST_ITEMS: '50' });

const turns = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'ASSISTANT' : 'USER', text: '' }));

describe('lists in variables', () => {
  it('refuses 600,000 history turns at once, over HTTP, with no upstream call', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: [{ uploadId: 'x' }], history: turns(600_000) } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/variables\.input\.history holds 600000 items; at most 50/);
    expect(gateway.localBedrock!.requests).toHaveLength(0);
  });

  it('refuses an over-long list over graphql-ws with an error message, keeping the socket open', async () => {
    const client = wsClient(gateway.wsUrl);
    try {
      const refused = await collectWs(client, MUTATION, { input: { images: Array(51).fill({ uploadId: 'x' }) } }).catch((errors: unknown) => errors);
      expect(JSON.stringify(refused)).toMatch(/BAD_USER_INPUT/);
      expect(JSON.stringify(refused)).toMatch(/holds 51 items; at most 50/);
      // The same socket still serves a request within the cap.
      const next = await collectWs(client, '{ serverInfo { bedrockMode } }', {});
      expect(JSON.stringify(next)).toMatch(/LOCAL/);
    } finally {
      await client.dispose();
    }
  });

  it('lets lists up to the cap through to the ordinary checks', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: [{ uploadId: 'x' }], history: turns(50) } });
    expect(result.errors?.[0]?.message).not.toMatch(/items; at most/);
  });
});
