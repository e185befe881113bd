import { randomUUID } from 'node:crypto';
import type { Caller } from '../../auth.js';
import { upstreamDetailOf } from '../../bedrock/errors.js';
import { errorCodeOf } from '../../errors.js';
import { observing } from '../../lib/observing.js';
import type { DescriptionReport } from '../../telemetry.js';
import type { Services } from '../container.js';
import { admitRequest, type RequestScope } from '../request-scope.js';
import { prepareDescription } from './prepare.js';
import { describeImageEvents } from './stream.js';
import type { Description, DescribeImageInput, DescriptionEvent, PreparedDescription } from './types.js';
import { withCost } from './cost.js';
import { invokeDescription, type StreamProgress } from './upstream.js';

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
 * before the upstream call is reported as `rejected` (or `cancelled` when the
 * client left) and rethrown; either way the slot is freed at once, even if
 * image work is still running, so a client that leaves mid-preparation never
 * keeps its slot.
 */
async function admitAndPrepare(
  input: DescribeImageInput,
  services: Services,
  report: DescriptionReport,
  caller: Caller,
  clientSignal: AbortSignal,
): Promise<{ scope: RequestScope; prepared: PreparedDescription }> {
  let scope: RequestScope | undefined;
  try {
    scope = await admitRequest(services.admission, caller, clientSignal);
    const prepared = await scope.race(prepareDescription(input, services, caller.id, scope.signal));
    // The client may have left while the last stage finished.
    if (scope.signal.aborted) throw scope.signal.reason;
    return { scope, prepared };
  } catch (error) {
    scope?.release();
    const cancelled = scope?.signal.aborted || clientSignal.aborted;
    services.telemetry.describeEnded({
      ...report,
      outcome: cancelled ? 'cancelled' : 'rejected',
      code: errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR',
    });
    throw error;
  }
}

/** A streamed description for one caller; `signal` fires when the client goes away. */
export async function openDescriptionStream(
  input: DescribeImageInput,
  services: Services,
  caller: Caller,
  signal: AbortSignal,
): Promise<AsyncIterable<DescriptionEvent>> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'subscription', caller: caller.id, outcome: 'ok' };
  const { scope, prepared } = await admitAndPrepare(input, services, report, caller, signal);
  Object.assign(report, describeSent(prepared));
  const closeGauge = services.telemetry.streamOpened();
  let finished = false;
  const endStream = () => void events.return!();
  const progress: StreamProgress = { inputTokens: 0, outputTokens: 0 };
  const events = observing(
    describeImageEvents(prepared, services.models, progress),
    (event) => {
      if ('error' in event) {
        finished = true;
        report.outcome = 'error';
        report.code = errorCodeOf(event.error) ?? 'INTERNAL_SERVER_ERROR';
        report.upstream = upstreamDetailOf(event.error);
      } else if (event.done) {
        finished = true;
        Object.assign(report, { usage: event.usage, firstTokenMs: event.firstTokenMs, latencyMs: event.latencyMs });
      }
    },
    () => {
      scope.signal.removeEventListener('abort', endStream);
      scope.release();
      closeGauge();
      if (!finished) {
        report.outcome = 'cancelled';
        // What was generated before the abort is billed too.
        report.usage = withCost(progress, prepared.entry.prices);
      }
      services.telemetry.describeEnded(report);
    },
  );
  // The transport returns the stream when its client leaves, but only once it
  // holds the stream; the signal covers the gap, and shutdown past the grace
  // period ends the stream the same way (upstream aborted, client sent `complete`).
  scope.signal.addEventListener('abort', endStream, { once: true });
  return events;
}

/** A whole description for one caller; `signal` fires when the client goes away. */
export async function describeOnce(
  input: DescribeImageInput,
  services: Services,
  caller: Caller,
  signal: AbortSignal,
): Promise<Description> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'mutation', caller: caller.id, outcome: 'ok' };
  const { scope, prepared } = await admitAndPrepare(input, services, report, caller, signal);
  Object.assign(report, describeSent(prepared));
  try {
    const description = await invokeDescription(prepared, services.models, scope.signal);
    Object.assign(report, { usage: description.usage, latencyMs: description.latencyMs });
    return description;
  } catch (error) {
    // Client gone (CANCELLED) or shutdown (SHUTTING_DOWN): the reason says which.
    const reason: unknown = scope.signal.aborted ? scope.signal.reason : error;
    report.outcome = scope.signal.aborted ? 'cancelled' : 'error';
    report.code = errorCodeOf(reason) ?? 'INTERNAL_SERVER_ERROR';
    report.upstream = upstreamDetailOf(error);
    throw reason;
  } finally {
    scope.release();
    services.telemetry.describeEnded(report);
  }
}
