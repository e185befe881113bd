import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, gatewayError } from '../errors.js';

/** How deep into the variables lists are looked for; the schema's inputs are far shallower. */
const MAX_DEPTH = 16;

/**
 * A refusal for variables holding a list longer than `maxItems`, or undefined.
 * GraphQL coerces every item of a list variable before any resolver runs, so a
 * body of 600,000 empty history turns cost seconds of CPU before its
 * MAX_HISTORY_TURNS refusal; counting first costs microseconds.
 */
export function variableListRefusal(variables: unknown, maxItems: number): GraphQLError | undefined {
  if (maxItems <= 0) return undefined;
  const visit = (value: unknown, path: string, depth: number): GraphQLError | undefined => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      if (value.length > maxItems) {
        return gatewayError(ErrorCode.BAD_USER_INPUT, `${path} holds ${value.length} items; at most ${maxItems} are accepted in one list.`, {
          limit: maxItems,
        });
      }
      for (const item of value) {
        const refusal = visit(item, `${path}[]`, depth + 1);
        if (refusal) return refusal;
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
      const refusal = visit(item, `${path}.${key.slice(0, 40)}`, depth + 1);
      if (refusal) return refusal;
    }
    return undefined;
  };
  return visit(variables, 'variables', 0);
}

/** Refuses HTTP and SSE requests whose variables hold an over-long list, before GraphQL coerces them. */
export function useVariableListCap(maxItems: number): Plugin {
  return {
    onParams({ params }) {
      const refusal = variableListRefusal(params.variables, maxItems);
      if (refusal) throw refusal;
    },
  };
}
