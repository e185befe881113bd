import { describe, expect, it } from 'vitest';
import type { Caller } from '../../api/auth.js';
import { Admission } from '../../api/services/admission.js';
import { admitRequest } from '../../api/services/request-scope.js';
import { MemoryConcurrencyLimiter } from '../../api/stores/memory-concurrency-limiter.js';

const caller = { id: 'key-1', authenticated: true } as Caller;
// One slot per key, no rate: the in-memory limiters, as a single server uses them.
const admission = () =>
  new Admission({ maxConcurrent: 0, rate: { consume: async () => {} }, concurrency: new MemoryConcurrencyLimiter(1) });
const never = () => new Promise<never>(() => {});

describe('request scope', () => {
  it('frees the slot the moment the client leaves, while the work it waits on is still running', async () => {
    const gate = admission();
    const client = new AbortController();
    const scope = await admitRequest(gate, caller, client.signal);
    const waiting = scope.race(never()).catch((error: { extensions?: { code?: string } }) => {
      scope.release();
      return error.extensions?.code;
    });
    expect(gate.active).toBe(1);
    client.abort();
    expect(await waiting).toBe('CANCELLED');
    expect(gate.active).toBe(0);
    // The key's one slot is free again.
    (await admitRequest(gate, caller, new AbortController().signal)).release();
  });

  it('does not admit a client that is already gone', async () => {
    const gate = admission();
    const client = new AbortController();
    client.abort();
    await expect(admitRequest(gate, caller, client.signal)).rejects.toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'CANCELLED' }) }));
    expect(gate.active).toBe(0);
  });

  it('ends the request with SHUTTING_DOWN when the server cancels it, and cancelAll waits for the release', async () => {
    const gate = admission();
    const scope = await admitRequest(gate, caller, new AbortController().signal);
    const waiting = scope.race(never()).catch((error: { extensions?: { code?: string } }) => error.extensions?.code);
    let cancelled = false;
    const cancelling = gate.cancelAll().then(() => (cancelled = true));
    expect(await waiting).toBe('SHUTTING_DOWN');
    await Promise.resolve();
    expect(cancelled).toBe(false);
    scope.release();
    await cancelling;
    expect(gate.active).toBe(0);
  });

  it('passes the work\'s own result or failure through, and forgets the client after release', async () => {
    const gate = admission();
    const client = new AbortController();
    const scope = await admitRequest(gate, caller, client.signal);
    expect(await scope.race(Promise.resolve(42))).toBe(42);
    await expect(scope.race(Promise.reject(new Error('bad image')))).rejects.toThrow('bad image');
    scope.release();
    scope.release();
    client.abort();
    expect(scope.signal.aborted).toBe(false);
    expect(gate.active).toBe(0);
  });

  it('with an asynchronous gate, gives the slot back when the client left while it was asked', async () => {
    const gate = admission();
    const client = new AbortController();
    const slow = { admit: async (who: Caller) => (client.abort(), gate.admit(who)) };
    await expect(admitRequest(slow, caller, client.signal)).rejects.toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'CANCELLED' }) }));
    expect(gate.active).toBe(0);
  });
});
