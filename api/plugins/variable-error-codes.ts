import { GraphQLError, type ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/** graphql-js echoes the bad value; a base64 image there would flood the client. */
function shorten(message: string): string {
  return message.replace(/"([^"]{40})[^"]{8,}"/g, '"$1…"');
}

function withCodes(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some(isVariableError)) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      isVariableError(error)
        ? createGraphQLError(shorten(error.message), {
            nodes: error.nodes,
            extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
          })
        : error,
    ),
  };
}

function isVariableError(error: GraphQLError): boolean {
  return !error.extensions?.code && error.message.startsWith('Variable "$');
}

/**
 * Gives variable coercion errors (wrong types, a @oneOf input with two keys, a
 * File where a String belongs) the code BAD_USER_INPUT, which graphql-js leaves
 * out, on every transport.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(withCodes(result));
      },
    }),
    // Yoga's executor throws coercion errors for queries and mutations over
    // HTTP; they reach the response here without passing onExecuteDone.
    onResultProcess: ({ result, setResult }) => {
      if (!isAsyncIterable(result) && !Array.isArray(result)) setResult(withCodes(result as ExecutionResult));
    },
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(withCodes(result));
      },
    }),
  };
}
