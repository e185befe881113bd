import type { GatewayFailure } from '../describe/gateway-errors';
import type { Turn, Usage } from './follow-up';

/** One follow-up question and its streamed answer. */
export interface Exchange {
  id: number;
  question: string;
  answer: string;
  status: 'streaming' | 'done' | 'stopped' | 'failed';
  usage?: Usage | null;
  failure?: GatewayFailure;
}

/**
 * The history to send with the next question: the first question and its
 * answer, then every follow-up that finished. Stopped or failed ones are left
 * out, so the turns still alternate.
 */
export function historyFor(first: { prompt: string; answer: string }, exchanges: readonly Exchange[]): Turn[] {
  const turns: Turn[] = [
    { role: 'USER', text: first.prompt },
    { role: 'ASSISTANT', text: first.answer },
  ];
  for (const exchange of exchanges) {
    if (exchange.status !== 'done' || !exchange.answer.trim()) continue;
    turns.push({ role: 'USER', text: exchange.question }, { role: 'ASSISTANT', text: exchange.answer });
  }
  return turns;
}

const usd = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });

/** "$0.00123", or "cost unknown" where the server has no prices for the model. */
export function formatUsd(value: number | null | undefined): string {
  return value == null ? 'cost unknown' : usd.format(value);
}

/** Token counts as the server reports them; cache counts and cost where selected. */
export interface UsageLike {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  costUsd?: number | null;
}

/**
 * "234 in · 1,000 from cache · 56 out · $0.00123": Bedrock counts cached
 * input apart from the rest; the cache parts only when there are any, the
 * cost only when it was asked for.
 */
export function usageText(usage: UsageLike): string {
  const count = (value: number) => value.toLocaleString('en');
  return [
    `${count(usage.inputTokens)} in`,
    usage.cacheReadInputTokens ? `${count(usage.cacheReadInputTokens)} from cache` : undefined,
    usage.cacheWriteInputTokens ? `${count(usage.cacheWriteInputTokens)} written to cache` : undefined,
    `${count(usage.outputTokens)} out`,
    'costUsd' in usage ? formatUsd(usage.costUsd) : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}
