import type { VisionModel } from './use-models';

/**
 * A model's name without its trailing remark in parentheses, for the select:
 * a native select cannot wrap, so a long name would be cut off on a phone.
 * The whole name stays in the option's title and the note under the select.
 */
export function shortModelName(name: string): string {
  return name.replace(/\s*\([^)]*\)\s*$/, '') || name;
}

/** The optgroup the embedded offline model sits in (its provider is the gateway itself). */
export const LOCAL_GROUP = 'Offline';

/** The models grouped by provider, groups and models in the server's order (the default first). */
export function groupByProvider(models: readonly VisionModel[]): { provider: string; models: VisionModel[] }[] {
  const groups = new Map<string, VisionModel[]>();
  for (const model of models) {
    const provider = model.isLocal ? LOCAL_GROUP : model.provider;
    groups.set(provider, [...(groups.get(provider) ?? []), model]);
  }
  return [...groups].map(([provider, grouped]) => ({ provider, models: grouped }));
}

// Catalogue prices run from $0.035 to $75 per million tokens: whole dollars bare, cents as cents, up to three decimals.
const dollars = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 3 });

/** 15 → "$15", 0.1 → "$0.10", 0.035 → "$0.035"; null (unknown) → "?". */
export function formatUsd(value: number | null | undefined): string {
  if (value == null) return '?';
  return (Number.isInteger(value) ? dollars : cents).format(value);
}

/** "$1 / $5 per M tokens" (input / output), or undefined when neither price is known. */
export function compactPrice(prices: VisionModel['prices']): string | undefined {
  if (prices.input == null && prices.output == null) return undefined;
  return `${formatUsd(prices.input)} / ${formatUsd(prices.output)} per M tokens`;
}

/** A price worth showing: the local model costs nothing, and one past its end of life cannot be bought. */
function hasPrice(model: VisionModel): boolean {
  return !model.isLocal && model.lifecycle.status !== 'END_OF_LIFE';
}

/** Each known price in words, e.g. "Input $1 · output $5 · cache read $0.10 per million tokens". */
export function fullPrice(model: VisionModel): string | undefined {
  if (!hasPrice(model)) return undefined;
  const { prices } = model;
  const parts = (
    [
      ['Input', prices.input],
      ['output', prices.output],
      ['cache read', prices.cacheRead],
      ['cache write', prices.cacheWrite],
    ] as const
  ).flatMap(([label, value]) => (value == null ? [] : [`${label} ${formatUsd(value)}`]));
  if (parts.length === 0) return 'Prices unknown (not in the model catalogue).';
  parts[0] = parts[0]!.charAt(0).toUpperCase() + parts[0]!.slice(1);
  return `${parts.join(' · ')} per million tokens.`;
}

/** Why a model is marked in the select, if it is: the account cannot call it, or it is being retired. */
export function modelMarks(model: VisionModel): string[] {
  const marks: string[] = [];
  if (model.availability === 'UNAVAILABLE') marks.push('unavailable');
  if (model.lifecycle.status === 'LEGACY') marks.push('legacy');
  if (model.lifecycle.status === 'END_OF_LIFE') marks.push('end of life');
  return marks;
}

/**
 * One option's text: short name, marks, compact price. The marks come before the price so that
 * a phone's closed select, which cuts the end off, still shows them.
 */
export function optionLabel(model: VisionModel): string {
  const marks = modelMarks(model);
  const name = marks.length ? `${shortModelName(model.name)} (${marks.join(', ')})` : shortModelName(model.name);
  const price = hasPrice(model) ? compactPrice(model.prices) : undefined;
  return price ? `${name} · ${price}` : name;
}

/** Whether this account and Region can call the model, in words. */
export function availabilityText(model: VisionModel): string {
  switch (model.availability) {
    case 'AVAILABLE':
      return 'Available to this account in this Region.';
    case 'UNAVAILABLE':
      return 'Not available to this account in this Region: request access in the Amazon Bedrock console, or choose another model.';
    default:
      return 'Availability unknown: the server has not checked which models this account can call.';
  }
}

/** "Up to 20 images per request, sent at up to 1568 px on the long edge." */
export function imageLimits(model: VisionModel): string {
  const images = model.maxImages === 1 ? '1 image' : `${model.maxImages} images`;
  return `Up to ${images} per request, sent at up to ${model.recommendedLongEdge} px on the long edge.`;
}
