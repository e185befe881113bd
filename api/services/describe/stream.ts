import type { BedrockModelClient } from '../../bedrock/model-client.js';
import { CoalescingStream } from '../../lib/coalescing-stream.js';
import type { DescriptionEvent, DescriptionTotals, PreparedDescription } from './types.js';
import { readDescription, type StreamProgress } from './upstream.js';

/**
 * A subscription's source for one prepared description: exactly one upstream
 * call, read eagerly, its deltas merged when they queue up (see
 * CoalescingStream). A failure mid-stream becomes the last event.
 */
export function describeImageEvents(
  prepared: PreparedDescription,
  models: BedrockModelClient,
  progress?: StreamProgress,
): AsyncIterableIterator<DescriptionEvent> {
  return new CoalescingStream<DescriptionTotals, DescriptionEvent>(
    (signal, onText) => readDescription(prepared, models, signal, onText, progress),
    {
      text: (text, index) => ({ id: prepared.id, index, text, done: false }),
      totals: (totals, index) => ({ ...totals, index }),
      error: (error) => ({ error }),
    },
  );
}
