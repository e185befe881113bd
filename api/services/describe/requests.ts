import { randomUUID } from 'node:crypto';
import type { Caller } from '../../auth.js';
import { upstreamDetailOf } from '../../bedrock/errors.js';
import { errorCodeOf } from '../../errors.js';
import { observing } from '../../lib/observing.js';
import type { DescriptionReport } from '../../telemetry.js';
import type { Services } from '../container.js';
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
 * before the upstream call is reported as `rejected` and rethrown.
 */
async function admitAndPrepare(
  input: DescribeImageInput,
  services: Services,
  report: DescriptionReport,
  caller: Caller,
) {
  let lease;
  try {
    lease = await services.admission.admit(caller);
    return { lease, prepared: await prepareDescription(input, services, caller.id) };
  } catch (error) {
    lease?.release();
    services.telemetry.describeEnded({ ...report, outcome: 'rejected', code: errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR' });
    throw error;
  }
}

/** A streamed description for one caller. */
export async function openDescriptionStream(
  input: DescribeImageInput,
  services: Services,
  caller: Caller,
): Promise<AsyncIterable<DescriptionEvent>> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'subscription', caller: caller.id, outcome: 'ok' };
  const { lease, prepared } = await admitAndPrepare(input, services, report, caller);
  Object.assign(report, describeSent(prepared));
  const closeGauge = services.telemetry.streamOpened();
  let finished = false;
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
      lease.release();
      closeGauge();
      if (!finished) {
        report.outcome = 'cancelled';
        // What was generated before the abort is billed too.
        report.usage = withCost(progress, prepared.entry.prices);
      }
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
  services: Services,
  caller: Caller,
  signal: AbortSignal,
): Promise<Description> {
  const report: DescriptionReport = { requestId: randomUUID(), operation: 'mutation', caller: caller.id, outcome: 'ok' };
  const { lease, prepared } = await admitAndPrepare(input, services, report, caller);
  Object.assign(report, describeSent(prepared));
  try {
    const description = await invokeDescription(prepared, services.models, signal);
    Object.assign(report, { usage: description.usage, latencyMs: description.latencyMs });
    return description;
  } catch (error) {
    report.outcome = signal.aborted ? 'cancelled' : 'error';
    report.code = errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR';
    report.upstream = upstreamDetailOf(error);
    throw error;
  } finally {
    lease.release();
    services.telemetry.describeEnded(report);
  }
}
