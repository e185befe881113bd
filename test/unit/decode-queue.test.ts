import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.js';
import { errorCodeOf } from '../../api/errors.js';
import { DecodeQueue } from '../../api/images/decode-queue.js';
import { normaliseImage } from '../../api/images/normalise.js';
import { solidImage } from '../helpers/images.js';

/** A piece of work that runs until `finish()` or `fail()` is called. */
function gate() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { done, finish, fail };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return errorCodeOf(error);
  }
  return 'no error';
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('DecodeQueue', () => {
  it('runs at most `concurrency` decodes at once, the others in order of arrival', async () => {
    const queue = new DecodeQueue({ concurrency: 2, budgetPixels: 1e9, timeoutMs: 0 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, gate);
    const runs = gates.map((g, i) =>
      queue.run(100, async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await g.done;
        running -= 1;
      }),
    );
    await tick();
    expect(queue.stats).toEqual({ running: 2, pixels: 200, waiting: 4 });
    for (const g of gates) {
      g.finish();
      await tick();
    }
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('keeps the pixels in flight within the budget, and runs an image larger than the budget alone', async () => {
    const queue = new DecodeQueue({ concurrency: 10, budgetPixels: 1000, timeoutMs: 0 });
    const seen: number[] = [];
    const gates = Array.from({ length: 4 }, gate);
    const sizes = [600, 600, 5000, 300];
    const runs = sizes.map((pixels, i) =>
      queue.run(pixels, async () => {
        seen.push(queue.stats.pixels);
        await gates[i]!.done;
      }),
    );
    await tick();
    // 600 + 600 > 1000: the second waits, and the ones behind it too (first come, first served).
    expect(queue.stats).toMatchObject({ running: 1, pixels: 600, waiting: 3 });
    gates[0]!.finish();
    await tick();
    expect(queue.stats).toMatchObject({ running: 1, pixels: 600, waiting: 2 });
    gates[1]!.finish();
    await tick();
    // The 5000-pixel image holds the whole budget, alone.
    expect(queue.stats).toMatchObject({ running: 1, pixels: 1000, waiting: 1 });
    gates[2]!.finish();
    await tick();
    gates[3]!.finish();
    await Promise.all(runs);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1000);
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('gives back the budget of a decode that fails', async () => {
    const queue = new DecodeQueue({ concurrency: 1, budgetPixels: 100, timeoutMs: 0 });
    await expect(queue.run(100, () => Promise.reject(new Error('corrupt')))).rejects.toThrow('corrupt');
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
    await expect(queue.run(100, async () => 'next')).resolves.toBe('next');
  });

  it('fails a waiter with SERVER_BUSY after the timeout, without running its work', async () => {
    const queue = new DecodeQueue({ concurrency: 1, budgetPixels: 100, timeoutMs: 50 });
    const held = gate();
    const first = queue.run(100, () => held.done);
    let ran = false;
    const waiter = queue.run(10, async () => {
      ran = true;
    });
    try {
      await waiter;
      expect.unreachable();
    } catch (error) {
      expect(errorCodeOf(error)).toBe('SERVER_BUSY');
      expect((error as { extensions: { retryable: boolean } }).extensions.retryable).toBe(true);
      expect((error as Error).message).toMatch(/busy.*Retry/s);
    }
    expect(ran).toBe(false);
    expect(queue.stats).toEqual({ running: 1, pixels: 100, waiting: 0 });
    held.finish();
    await first;
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('takes an aborted waiter out of the queue, frees nothing it did not hold, and lets the next one in', async () => {
    const queue = new DecodeQueue({ concurrency: 1, budgetPixels: 100, timeoutMs: 0 });
    const held = gate();
    const first = queue.run(60, () => held.done);
    const controller = new AbortController();
    let abortedRan = false;
    const aborted = queue.run(
      100,
      async () => {
        abortedRan = true;
      },
      controller.signal,
    );
    const third = queue.run(40, async () => queue.stats);
    await tick();
    expect(queue.stats).toEqual({ running: 1, pixels: 60, waiting: 2 });
    controller.abort();
    expect(await codeOf(aborted)).toBe('CANCELLED');
    expect(abortedRan).toBe(false);
    // The running decode still holds its own budget; the aborted entry held none.
    expect(queue.stats).toEqual({ running: 1, pixels: 60, waiting: 1 });
    held.finish();
    await first;
    expect(await third).toEqual({ running: 1, pixels: 40, waiting: 0 });
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('counts work of unknown size as the whole budget', async () => {
    const queue = new DecodeQueue({ concurrency: 4, budgetPixels: 100, timeoutMs: 0 });
    expect(await queue.run(Number.NaN, async () => queue.stats.pixels)).toBe(100);
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('refuses at once work whose signal is already aborted', async () => {
    const queue = new DecodeQueue();
    expect(await codeOf(queue.run(1, async () => undefined, AbortSignal.abort()))).toBe('CANCELLED');
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });
});

describe('normaliseImage in a DecodeQueue', () => {
  const limits = { maxInputBytes: 30_000_000, maxInputPixels: 8000 * 8000, maxImageBytes: 3_750_000, longEdge: 1568 };

  it('decodes at most `concurrency` images at once and frees the budget afterwards', async () => {
    /** Counts the decodes inside the queue's gate, as they run. */
    class ObservedQueue extends DecodeQueue {
      inside = 0;
      peak = 0;
      queued = 0;
      override run<T>(pixels: number, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
        this.queued = Math.max(this.queued, this.stats.waiting + 1);
        return super.run(
          pixels,
          async () => {
            this.peak = Math.max(this.peak, ++this.inside);
            try {
              return await work();
            } finally {
              this.inside -= 1;
            }
          },
          signal,
        );
      }
    }
    const queue = new ObservedQueue({ concurrency: 2, budgetPixels: 1e9, timeoutMs: 0 });
    const images = await Promise.all(Array.from({ length: 8 }, (_, i) => solidImage('png', 900 + i, 600)));
    const out = await Promise.all(images.map((bytes) => normaliseImage(bytes, limits, 'x', { queue })));
    expect(out.map((image) => image.width)).toEqual(images.map((_, i) => 900 + i));
    expect(queue.peak).toBe(2);
    expect(queue.queued).toBeGreaterThan(1);
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });

  it('answers SERVER_BUSY when an image waits too long, and CANCELLED when its request is abandoned', async () => {
    const queue = new DecodeQueue({ concurrency: 1, budgetPixels: 1e9, timeoutMs: 50 });
    const held = gate();
    const blocker = queue.run(1, () => held.done);
    const image = await solidImage('jpeg');
    expect(await codeOf(normaliseImage(image, limits, 'x', { queue }))).toBe('SERVER_BUSY');
    const controller = new AbortController();
    const abandoned = normaliseImage(image, limits, 'x', { queue, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    expect(await codeOf(abandoned)).toBe('CANCELLED');
    held.finish();
    await blocker;
    expect(queue.stats).toEqual({ running: 0, pixels: 0, waiting: 0 });
  });
});

describe('decode queue settings', () => {
  it('are read from the environment, with safe defaults', () => {
    expect(loadConfig({ BEDROCK_MODE: 'local' }).images).toMatchObject({
      decodeConcurrency: 2,
      decodeBudgetPixels: 64_000_000,
      queueTimeoutMs: 20_000,
    });
    const env = { BEDROCK_MODE: 'local', IMAGE_DECODE_CONCURRENCY: '4', IMAGE_DECODE_BUDGET_PIXELS: '1000', IMAGE_QUEUE_TIMEOUT_MS: '0' };
    expect(loadConfig(env).images).toMatchObject({ decodeConcurrency: 4, decodeBudgetPixels: 1000, queueTimeoutMs: 0 });
    expect(() => loadConfig({ BEDROCK_MODE: 'local', IMAGE_DECODE_CONCURRENCY: 'two' })).toThrow(/IMAGE_DECODE_CONCURRENCY/);
  });
});
