import { describe, expect, it } from 'vitest';
import { AnsweredOnlyRetryStrategy, mayHaveReachedBedrock } from '../../api/bedrock/retry-strategy.js';

const network = (code: string, name = 'Error') => Object.assign(new Error('socket hang up'), { code, name });

describe('retrying only what Bedrock refused (issue #9)', () => {
  it('tells a failure after the request went out from a refusal or a connection never made', () => {
    // The SDK's HTTP handler names a reset TimeoutError, which its standard strategy counts as transient.
    expect(mayHaveReachedBedrock(network('ECONNRESET', 'TimeoutError'))).toBe(true);
    expect(mayHaveReachedBedrock(network('EPIPE'))).toBe(true);
    expect(mayHaveReachedBedrock(network('ECONNREFUSED'))).toBe(false);
    expect(mayHaveReachedBedrock(network('ENOTFOUND'))).toBe(false);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(mayHaveReachedBedrock(throttled)).toBe(false);
    // A 200 whose body was cut short: the model ran, and a retry would bill it again.
    const cutShort = Object.assign(network('ECONNRESET'), { $metadata: { httpStatusCode: 200 }, $response: { statusCode: 200 } });
    expect(mayHaveReachedBedrock(cutShort)).toBe(true);
  });

  it('refuses a retry token after a reset, and grants one for throttling', async () => {
    const strategy = new AnsweredOnlyRetryStrategy(3);
    const token = await strategy.acquireInitialRetryToken('');
    await expect(strategy.refreshRetryTokenForRetry(token, { error: network('ECONNRESET', 'TimeoutError') as never, errorType: 'TRANSIENT' })).rejects.toThrow(
      /may have reached Bedrock/,
    );
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    const next = await strategy.refreshRetryTokenForRetry(token, { error: throttled as never, errorType: 'THROTTLING' });
    expect(next.getRetryCount()).toBe(1);
  }, 30_000);
});
