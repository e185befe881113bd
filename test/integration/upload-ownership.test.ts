import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, type Result } from '../helpers/graphql.js';
import { solidImage } from '../helpers/images.js';
import { useRedis } from '../helpers/use-redis.js';
import { uploadFile } from '../helpers/upload.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const byId = (uploadId: string) => ({ input: { images: [{ uploadId }] } });
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

async function overWs(wsUrl: string, key: string, variables: Record<string, unknown>): Promise<Result[]> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${key}` } });
  try {
    return await collect(client.iterate({ query: SUBSCRIPTION, variables }) as AsyncIterable<Result>);
  } catch (errors) {
    return [{ errors: errors as Result['errors'] }];
  } finally {
    await client.dispose();
  }
}

const redis = useRedis();

describe.each(['memory', 'redis'] as const)('uploads belong to the key that made them (%s store)', (store) => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let png: Buffer;
  beforeAll(async () => {
    png = await solidImage('png', 64, 64, '#123456');
    gateway = await startGateway({
      API_KEYS: 'keyA,keyB',
      KEY_RATE_PER_MINUTE: '6000',
      KEY_RATE_BURST: '1000',
      // Room for a few small PNGs per key.
      UPLOAD_KEY_MAX_BYTES: String(png.length * 3),
      ...(store === 'redis' ? { REDIS_URL: redis().url } : {}),
    });
  });
  afterAll(() => gateway.stop());

  it("answers another key's uploadId exactly like an unknown one, over HTTP and WS, without calling Bedrock", async () => {
    const uploaded = await uploadFile(gateway.graphqlUrl, png, 'keyA');
    expect(uploaded.errors).toBeUndefined();
    const id = uploaded.data!.uploadImage.id as string;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const before = gateway.localBedrock!.requests.length;

    const foreign = await postGraphQL(gateway.graphqlUrl, MUTATION, byId(id), auth('keyB'));
    const missing = await postGraphQL(gateway.graphqlUrl, MUTATION, byId(unknown), auth('keyB'));
    expect(foreign.errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    expect(foreign.errors![0]!.message.replace(id, 'ID')).toBe(missing.errors![0]!.message.replace(unknown, 'ID'));

    const foreignWs = await overWs(gateway.wsUrl, 'keyB', byId(id));
    expect(foreignWs.at(-1)!.errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    expect(gateway.localBedrock!.requests.length).toBe(before);

    // Its owner can use it on both transports.
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, byId(id), auth('keyA'))).errors).toBeUndefined();
    expect((await overWs(gateway.wsUrl, 'keyA', byId(id))).at(-1)!.data!.describeImage.done).toBe(true);
  });

  it("cannot push out another key's uploads by filling the store; a key over its quota loses its own oldest", async () => {
    const mine = (await uploadFile(gateway.graphqlUrl, png, 'keyA')).data!.uploadImage.id as string;
    const flood: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await uploadFile(gateway.graphqlUrl, png, 'keyB');
      expect(result.errors).toBeUndefined();
      flood.push(result.data!.uploadImage.id as string);
    }
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, byId(mine), auth('keyA'))).errors).toBeUndefined();
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, byId(flood[0]!), auth('keyB'))).errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, byId(flood.at(-1)!), auth('keyB'))).errors).toBeUndefined();
  });
});
