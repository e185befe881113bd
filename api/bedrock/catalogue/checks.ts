import { ErrorCode, gatewayError } from '../../errors.js';
import { catalogueEntry, resolveModel, type ResolveOptions } from './index.js';
import type { CatalogueEntry, ModelLifecycle, NumberRange } from './types.js';

/**
 * Checks run before any billed call: each throws a GraphQL error with a stable
 * code, or returns quietly. Plain functions, so the request path can call them
 * in any order and tests need no server.
 */

/** Whether a model can still be called on `now`, and what to tell the caller. */
export interface LifecycleVerdict {
  usable: boolean;
  /** A warning for the start-up log and Query.models, for legacy models. */
  warning?: string;
}

function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function replacementText(lifecycle: ModelLifecycle): string {
  if (!lifecycle.replacement) return 'Choose a current model (see Query.models).';
  const name = catalogueEntry(lifecycle.replacement)?.name;
  return `AWS recommends ${name ? `${name} (${lifecycle.replacement})` : lifecycle.replacement} instead.`;
}

/** The lifecycle verdict without throwing: for start-up warnings and Query.models. */
export function lifecycleVerdict(entry: CatalogueEntry, now = new Date()): LifecycleVerdict {
  const { lifecycle } = entry;
  const pastEnd = lifecycle.endOfLife !== undefined && lifecycle.endOfLife < isoDay(now);
  if (lifecycle.status === 'end-of-life' || pastEnd) return { usable: false };
  if (lifecycle.status === 'legacy') {
    const until = lifecycle.endOfLife ? ` until ${lifecycle.endOfLife}` : '';
    return {
      usable: true,
      warning: `${entry.name} (${entry.id}) is a legacy model on Bedrock: it works${until}, then stops. ${replacementText(lifecycle)}`,
    };
  }
  return { usable: true };
}

/**
 * Refuses a model past its end of life with MODEL_END_OF_LIFE naming the
 * replacement; a legacy model passes (its warning is returned for logging).
 * `now` is injectable for tests. An end-of-life date is the last day it works.
 */
export function checkLifecycle(entry: CatalogueEntry, now = new Date()): LifecycleVerdict {
  const verdict = lifecycleVerdict(entry, now);
  if (!verdict.usable) {
    const { lifecycle } = entry;
    const since = lifecycle.endOfLife ? ` on ${lifecycle.endOfLife}` : '';
    throw gatewayError(
      ErrorCode.MODEL_END_OF_LIFE,
      `${entry.name} (${entry.id}) reached end of life on Amazon Bedrock${since}. ${replacementText(lifecycle)}`,
      { modelId: entry.id, endOfLife: lifecycle.endOfLife ?? null, replacement: lifecycle.replacement ?? null },
    );
  }
  return verdict;
}

/** Sampling parameters a request may set. */
export interface SamplingParameters {
  temperature?: number | null;
  topP?: number | null;
  topK?: number | null;
  stopSequences?: readonly string[] | null;
  maxTokens?: number | null;
}

const LABEL = { temperature: 'temperature', topP: 'topP', topK: 'topK' } as const;

function checkRange(name: keyof typeof LABEL, value: number, range: NumberRange, entry: CatalogueEntry) {
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    const allowed = range.min === range.max ? `only ${range.min}` : `${range.min} to ${range.max}`;
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} must be ${allowed} for ${entry.name}; got ${value}.`, {
      parameter: name,
      min: range.min,
      max: range.max,
    });
  }
}

/**
 * Refuses, with BAD_USER_INPUT, a parameter out of the model's range, one the
 * model does not have (topK where it is null), a combination it refuses (e.g.
 * temperature with topP on Claude 4.5 and later), too many stop sequences, or
 * more output tokens than it can write.
 */
export function checkParameters(entry: CatalogueEntry, params: SamplingParameters): void {
  const rules = entry.parameters;
  const given = (name: keyof typeof LABEL) => params[name] !== undefined && params[name] !== null;

  for (const name of ['topP', 'topK'] as const) {
    if (given(name) && rules[name] === null) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, `${entry.name} has no ${name}: leave it out.`, { parameter: name });
    }
  }
  for (const [a, b] of rules.exclusive) {
    if (given(a) && given(b)) {
      throw gatewayError(
        ErrorCode.BAD_USER_INPUT,
        `${entry.name} refuses ${a} and ${b} together: set one of them.`,
        { parameters: [a, b] },
      );
    }
  }
  if (given('temperature')) checkRange('temperature', params.temperature!, rules.temperature, entry);
  if (given('topP')) checkRange('topP', params.topP!, rules.topP!, entry);
  if (given('topK')) checkRange('topK', params.topK!, rules.topK!, entry);

  const stops = params.stopSequences?.length ?? 0;
  if (stops > rules.maxStopSequences) {
    throw gatewayError(
      ErrorCode.BAD_USER_INPUT,
      `${entry.name} takes at most ${rules.maxStopSequences} stop sequences; got ${stops}.`,
      { parameter: 'stopSequences', max: rules.maxStopSequences },
    );
  }
  if (params.maxTokens !== undefined && params.maxTokens !== null) {
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1 || params.maxTokens > entry.maxOutputTokens) {
      throw gatewayError(
        ErrorCode.BAD_USER_INPUT,
        `maxTokens must be a whole number from 1 to ${entry.maxOutputTokens} for ${entry.name}; got ${params.maxTokens}.`,
        { parameter: 'maxTokens', min: 1, max: entry.maxOutputTokens },
      );
    }
  }
}

/** Refuses more images than the model takes in one request, with TOO_MANY_IMAGES. */
export function checkImageCount(entry: CatalogueEntry, count: number): void {
  if (count > entry.images.maxCount) {
    throw gatewayError(
      ErrorCode.TOO_MANY_IMAGES,
      `${entry.name} takes at most ${entry.images.maxCount} images per request; got ${count}.`,
      { maxImages: entry.images.maxCount },
    );
  }
}

/**
 * What to tell an operator about one allowed model id: legacy, past its end
 * of life, or unknown to the catalogue (conservative limits). Empty when fine.
 */
export function modelWarnings(id: string, entry: CatalogueEntry | undefined, now = new Date()): string[] {
  if (!entry || entry.conservative) {
    return [`${id} is not in the model catalogue: conservative limits apply (5 images, 4096 output tokens, Converse) and its prices are unknown.`];
  }
  const verdict = lifecycleVerdict(entry, now);
  if (!verdict.usable) {
    const since = entry.lifecycle.endOfLife ? ` on ${entry.lifecycle.endOfLife}` : '';
    return [`${entry.name} (${id}) reached end of life on Amazon Bedrock${since}; requests for it are refused. ${replacementText(entry.lifecycle)}`];
  }
  return verdict.warning ? [verdict.warning] : [];
}

/** Warnings for the whole allow-list, for the start-up log (one line per model). */
export function allowListWarnings(
  allowedModelIds: readonly string[],
  options?: ResolveOptions,
  now = new Date(),
): { modelId: string; warning: string }[] {
  return allowedModelIds.flatMap((modelId) =>
    modelWarnings(modelId, resolveModel(modelId, options)?.entry, now).map((warning) => ({ modelId, warning })),
  );
}
