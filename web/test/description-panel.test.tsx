// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DescriptionPanel } from '../src/describe/description-panel';
import type { Run } from '../src/describe/runs';

afterEach(cleanup);

const base: Run = {
  id: 'r1',
  startedAt: 0,
  prompt: 'p',
  promptLabel: 'Alt text',
  modelName: 'Claude 3 Haiku',
  status: 'streaming',
  bytesSent: 182_000,
  text: 'A small',
  chunks: 2,
};

describe('DescriptionPanel', () => {
  it('streams text into a polite live region and offers Stop while streaming', () => {
    const onStop = vi.fn();
    render(<DescriptionPanel run={base} onStop={onStop} onAskAgain={() => {}} />);
    const output = screen.getByTestId('description-text');
    expect(output.getAttribute('aria-live')).toBe('polite');
    expect(output.textContent).toBe('A small');
    expect(screen.getByRole('status').textContent).toBe('Describing…');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('shows stop reason, token usage (with cache reads and cost) and time to first token when done', () => {
    const run: Run = {
      ...base,
      status: 'done',
      text: 'A small dog.',
      result: {
        id: 'd',
        index: 3,
        text: '',
        done: true,
        stopReason: 'max_tokens',
        latencyMs: 2300,
        firstTokenMs: 412,
        usage: { inputTokens: 1234, outputTokens: 56, cacheReadInputTokens: 2000, cacheWriteInputTokens: 0, costUsd: 0.0123 },
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        images: null,
      },
    };
    render(<DescriptionPanel run={run} onStop={() => {}} onAskAgain={() => {}} />);
    const details = screen.getAllByRole('definition').map((dd) => dd.textContent);
    expect(details).toEqual(['Reached the token limit', '1,234 in · 2,000 from cache · 56 out · $0.0123', '412 ms', '2.3 s']);
    expect(screen.getByRole('status').textContent).toBe('Done in 2.3 s');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('shows a failure by its human message and code', () => {
    const run: Run = {
      ...base,
      status: 'failed',
      text: '',
      failure: { code: 'UPSTREAM_THROTTLED', message: 'Amazon Bedrock is busy and throttled the request. Try again shortly.' },
    };
    render(<DescriptionPanel run={run} onStop={() => {}} onAskAgain={() => {}} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Try again shortly.');
    expect(alert.textContent).toContain('UPSTREAM_THROTTLED');
  });
});
