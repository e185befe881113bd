import { describe, expect, it } from 'vitest';
import { runsReducer, type Run, type RunsState } from '../src/describe/runs';

const run: Run = {
  id: 'r1',
  startedAt: 0,
  prompt: 'p',
  promptLabel: 'Detailed',
  modelName: 'm',
  status: 'preparing',
  bytesSent: 0,
  text: '',
  chunks: 0,
};

const chunk = (text: string, done = false) => ({
  type: 'event' as const,
  id: 'r1',
  event: {
    type: 'chunk' as const,
    chunk: { id: 'd', index: 0, text, done, stopReason: done ? 'end_turn' : null, modelId: null, latencyMs: null, firstTokenMs: null, usage: null, images: null },
  },
});

describe('runs', () => {
  it('appends streamed text and ends with the final chunk', () => {
    let state: RunsState = runsReducer({ runs: [] }, { type: 'started', run });
    state = runsReducer(state, { type: 'event', id: 'r1', event: { type: 'uploading', bytes: 1200 } });
    state = runsReducer(state, { type: 'event', id: 'r1', event: { type: 'uploaded', upload: { id: 'u', byteSize: 1, expiresAt: 1 }, reused: false } });
    state = runsReducer(state, chunk('A '));
    expect(state.runs[0]).toMatchObject({ status: 'streaming', text: 'A ', bytesSent: 1200 });
    state = runsReducer(state, chunk('cat.', true));
    expect(state.runs[0]).toMatchObject({ status: 'done', text: 'A cat.', chunks: 2 });
    expect(state.runs[0]?.result?.stopReason).toBe('end_turn');
  });

  it('ignores chunks that race a Stop', () => {
    let state: RunsState = runsReducer({ runs: [] }, { type: 'started', run: { ...run, status: 'streaming', text: 'A ' } });
    state = runsReducer(state, { type: 'stopped', id: 'r1' });
    state = runsReducer(state, chunk('late'));
    expect(state.runs[0]).toMatchObject({ status: 'stopped', text: 'A ' });
  });

  it('lists the newest run first and selects it', () => {
    let state: RunsState = runsReducer({ runs: [] }, { type: 'started', run });
    state = runsReducer(state, { type: 'started', run: { ...run, id: 'r2' } });
    expect(state.runs.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(state.selectedId).toBe('r2');
  });
});
