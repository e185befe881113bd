import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth.js';
import { errorCodeOf } from '../errors.js';
import type { DescriptionReport } from '../telemetry.js';
import {
  describeImageEvents,
  invokeDescription,
  prepareDescription,
  type Description,
  type DescribeImageDeps,
  type DescribeImageInput,
  type DescriptionEvent,
  type PreparedDescription,
} from './describe-image.js';

/**
 * Passes the iterator's values on unchanged, shows each to `onValue`, and
 * calls `onEnd` once when it ends for any reason (done, returned early, never
 * started). Not an async generator on purpose: a generator's return() waits
 * behind a pending next(), which would delay aborting the upstream call.
 */
function observing<T>(
  iterable: AsyncIterable<T>,
  onValue: (value: T) => void,
  onEnd: (early: boolean) => void,
): AsyncIterableIterator<T> {
  const inner = iterable[Symbol.asyncIterator]();
  let ended = false;
  const end = (early: boolean) => {
    if (ended) return;
    ended = true;
    onEnd(early);
  };
  return {
    async next() {
      const result = await inner.next();
      if (result.done) end(false);
      else onValue(result.value);
      return result;
    },
    async return(value?: unknown) {
      end(true);
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      end(true);
      if (inner.throw) return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function describeSent(prepared: PreparedDescription): Partial<DescriptionReport> {
  return {
    requestId: prepared.id,
    modelId: prepared.model.id,
    imageCount: prepared.images.length,
    bytesSent: prepared.images.reduce((sum, image) => sum + image.byteSize, 0),
  };
}

/**
 * Admission, then every check, then exactly one upstream call. A failure
 * before the upstream call is reported as `rejected` and rethrown.
 */
async function admitAndPrepare(
  input: DescribeImageInput,
  services: DescribeImageDeps,
  report: DescriptionReport,
  caller: Caller,
) {
  let lease;
  try {
    lease = services.admission.admit(caller);
    return { lease, prepared: await prepareDescription(input, services) };
  } catch (error) {
    lease?.release();
    services.telemetry.describeEnded({ ...report, outcome: 'rejected', code: errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR' });
    throw error;
  }
}

/** A streamed description for one caller. */
export async function openDescriptionStream(
  input: DescribeImageInput,
  services: DescribeImageDeps,
  caller: Caller,
): Promise<AsyncIterable<DescriptionEvent>> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'subscription', caller: caller.id, outcome: 'ok' };
  const { lease, prepared } = await admitAndPrepare(input, services, report, caller);
  Object.assign(report, describeSent(prepared));
  const closeGauge = services.telemetry.streamOpened();
  let finished = false;
  const events = observing(
    describeImageEvents(prepared, services.bedrock, services.upstreamIdleTimeoutMs),
    (event) => {
      if ('error' in event) {
        finished = true;
        report.outcome = 'error';
        report.code = errorCodeOf(event.error) ?? 'INTERNAL_SERVER_ERROR';
      } else if (event.done) {
        finished = true;
        Object.assign(report, { usage: event.usage, firstTokenMs: event.firstTokenMs, latencyMs: event.latencyMs });
      }
    },
    () => {
      lease.release();
      closeGauge();
      if (!finished) report.outcome = 'cancelled';
      services.telemetry.describeEnded(report);
    },
  );
  // At shutdown, a stream past its grace period is ended as if the client
  // unsubscribed: the upstream call is aborted and the client gets `complete`.
  lease.onCancel(() => events.return!());
  return events;
}

/** A whole description for one caller. */
export async function describeOnce(
  input: DescribeImageInput,
  services: DescribeImageDeps,
  caller: Caller,
  signal: AbortSignal,
): Promise<Description> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'mutation', caller: caller.id, outcome: 'ok' };
  const { lease, prepared } = await admitAndPrepare(input, services, report, caller);
  Object.assign(report, describeSent(prepared));
  try {
    const description = await invokeDescription(prepared, services.bedrock, signal, services.upstreamIdleTimeoutMs);
    Object.assign(report, { usage: description.usage, latencyMs: description.latencyMs });
    return description;
  } catch (error) {
    report.outcome = signal.aborted ? 'cancelled' : 'error';
    report.code = errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR';
    throw error;
  } finally {
    lease.release();
    services.telemetry.describeEnded(report);
  }
}
