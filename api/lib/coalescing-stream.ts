const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Reads one upstream call: hands each text delta to `onText`, resolves with the totals (undefined once aborted). */
export type TextReader<Totals> = (signal: AbortSignal, onText: (text: string) => void) => Promise<Totals | undefined>;

/** How the stream's items are made from what the reader produced. */
export interface CoalescingStreamShape<Totals, Item> {
  /** A chunk carrying all text received since the last one. */
  text(text: string, index: number): Item;
  /** The last item, after the text: the reader's totals. */
  totals(totals: Totals, index: number): Item;
  /** The last item when the reader failed: ends only this stream, after the text already sent. */
  error(error: unknown): Item;
}

/**
 * An async iterator over one upstream text stream, read as fast as it is sent,
 * whatever the consumer's pace. Deltas are merged, in order, into one item
 * when they queue up (issue #5), so one GraphQL execution and one frame carry
 * them all:
 * - behind a slow consumer: what arrives while the last item is still being
 *   sent goes out with the next one;
 * - behind a busy event loop: a delta is handed to a waiting consumer at the
 *   end of the loop turn it arrived in (setImmediate), so the deltas that
 *   arrived in the same turn, which a loaded server reads many at a time,
 *   travel together. On an idle server that turn is microseconds long.
 * Nothing is dropped: a merged item just carries more text, and the index
 * counts the items actually handed out. Reading eagerly is what makes merging
 * possible: deltas left unread upstream could only come out one at a time.
 *
 * It owns the upstream call's AbortController: `return()` (the client
 * unsubscribed or went away) aborts it at once, even while a `next()` is
 * pending, which a plain async generator would not do. A failure becomes the
 * last item instead of a throw.
 */
export class CoalescingStream<Totals, Item> implements AsyncIterableIterator<Item> {
  private readonly controller = new AbortController();
  /** Text received and not yet handed out. */
  private text = '';
  /** The final item's totals or the error, handed out after the text. */
  private last: { totals: Totals } | { error: unknown } | undefined;
  private upstreamEnded = false;
  private closed = false;
  private started = false;
  private index = 0;
  private waiting: ((result: IteratorResult<Item>) => void) | undefined;
  private wakeScheduled = false;

  constructor(
    private readonly read: TextReader<Totals>,
    private readonly shape: CoalescingStreamShape<Totals, Item>,
  ) {}

  next(): Promise<IteratorResult<Item>> {
    if (!this.started) {
      // Like a generator, nothing is called (or billed) until the first next().
      this.started = true;
      void this.run();
    }
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<Item>> {
    this.close();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<Item>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.text = '';
    this.last = undefined;
    this.controller.abort();
    this.wake();
  }

  /** Everything received so far as one result, or undefined when there is nothing yet. */
  private take(): IteratorResult<Item> | undefined {
    if (this.closed) return DONE;
    if (this.text) {
      const value = this.shape.text(this.text, this.index++);
      this.text = '';
      return { done: false, value };
    }
    if (this.last) {
      const value = 'error' in this.last ? this.shape.error(this.last.error) : this.shape.totals(this.last.totals, this.index++);
      this.closed = true;
      return { done: false, value };
    }
    if (this.upstreamEnded) {
      this.closed = true;
      return DONE;
    }
    return undefined;
  }

  private wake() {
    const waiting = this.waiting;
    if (!waiting) return;
    const result = this.take();
    if (!result) return;
    this.waiting = undefined;
    waiting(result);
  }

  /** Wakes a waiting consumer at the end of this loop turn, with all that arrived in it. */
  private wakeSoon() {
    if (!this.waiting || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(this.wakeNow);
  }

  private readonly wakeNow = () => {
    this.wakeScheduled = false;
    this.wake();
  };

  private readonly onText = (text: string) => {
    if (this.closed) return;
    this.text += text;
    this.wakeSoon();
  };

  private async run() {
    try {
      const totals = await this.read(this.controller.signal, this.onText);
      if (totals !== undefined && !this.closed) this.last = { totals };
    } catch (error) {
      if (!this.closed) this.last = { error };
    }
    this.upstreamEnded = true;
    this.wakeSoon();
  }
}
