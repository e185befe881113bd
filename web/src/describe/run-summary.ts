import { formatBytes, formatMs } from '../format';
import type { Run } from './runs';

const STOP_REASONS: Record<string, string> = {
  end_turn: 'Finished',
  max_tokens: 'Reached the token limit',
  stop_sequence: 'Hit a stop sequence',
  content_filtered: 'Stopped by a content filter',
  guardrail_intervened: 'Stopped by a guardrail',
};

/** The model's stop reason in words, keeping unknown ones as they are. */
export function stopReasonText(reason: string | null | undefined): string {
  return (reason && STOP_REASONS[reason]) ?? reason ?? 'Unknown';
}

/** One line for screen readers and the status pill: where the run is. */
export function statusText(run: Run): string {
  switch (run.status) {
    case 'preparing':
      return 'Preparing the image…';
    case 'uploading':
      return `Uploading ${formatBytes(run.bytesSent)}…`;
    case 'streaming':
      return run.chunks === 0 ? 'Waiting for the model…' : 'Describing…';
    case 'done':
      return run.result?.latencyMs != null ? `Done in ${formatMs(run.result.latencyMs)}` : 'Done';
    case 'stopped':
      return 'Stopped';
    case 'failed':
      return 'Failed';
  }
}

/** What went over the wire for the image, and what it was before the browser shrank it. */
export function imageSummary(run: Run): string | undefined {
  const image = run.image;
  if (!image) return undefined;
  const sent = run.upload && run.bytesSent === 0 ? 'Reused the uploaded image' : `Sent ${formatBytes(run.bytesSent || image.blob.size)}`;
  const size = `${image.width} × ${image.height} JPEG`;
  const { original } = image;
  const resized = original.width !== image.width || original.height !== image.height;
  const from = [resized ? `${original.width} × ${original.height}` : undefined, original.bytes ? formatBytes(original.bytes) : undefined]
    .filter(Boolean)
    .join(', ');
  return `${sent} · ${size}${from ? ` (from ${from})` : ''}`;
}
