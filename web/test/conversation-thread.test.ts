import { describe, expect, it } from 'vitest';
import { historyFor, usageText, type Exchange } from '../src/conversation/thread';

const exchange = (id: number, status: Exchange['status'], answer = `answer ${id}`): Exchange => ({
  id,
  question: `question ${id}`,
  answer,
  status,
});

describe('conversation thread', () => {
  it('sends the first question and answer, then every finished follow-up, as alternating turns', () => {
    const history = historyFor({ prompt: 'Describe it.', answer: 'A cat.' }, [
      exchange(1, 'done'),
      exchange(2, 'stopped'),
      exchange(3, 'failed', ''),
      exchange(4, 'done'),
    ]);
    expect(history).toEqual([
      { role: 'USER', text: 'Describe it.' },
      { role: 'ASSISTANT', text: 'A cat.' },
      { role: 'USER', text: 'question 1' },
      { role: 'ASSISTANT', text: 'answer 1' },
      { role: 'USER', text: 'question 4' },
      { role: 'ASSISTANT', text: 'answer 4' },
    ]);
  });

  it('shows the tokens read from the cache apart, and the cost', () => {
    expect(
      usageText({ inputTokens: 1234, outputTokens: 56, cacheReadInputTokens: 1500, cacheWriteInputTokens: 0, costUsd: 0.00123 }),
    ).toBe('1,234 in · 1,500 from cache · 56 out · $0.00123');
    expect(usageText({ inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, costUsd: null })).toBe(
      '10 in · 2 out · cost unknown',
    );
  });
});
