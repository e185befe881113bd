import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

/** A redis-server for this test file, stopped in afterAll. */
export function useRedis(): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.dispose());
  return () => {
    if (!server) throw new Error('redis-server not started yet');
    return server;
  };
}
