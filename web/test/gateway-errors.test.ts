import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../api/errors.js';
import { toGatewayFailure } from '../src/describe/gateway-errors';

const graphQLError = (code: string | undefined, message = 'server message') =>
  new CombinedError({ graphQLErrors: [{ message, extensions: code ? { code } : {} }] });

describe('gateway error messages', () => {
  it('tells a throttled person to try again shortly', () => {
    expect(toGatewayFailure(graphQLError('UPSTREAM_THROTTLED'))).toEqual({
      code: 'UPSTREAM_THROTTLED',
      message: 'Amazon Bedrock is busy and throttled the request. Try again shortly.',
      detail: undefined,
    });
  });

  it('sends a person without model access to the Bedrock console', () => {
    expect(toGatewayFailure(graphQLError('UPSTREAM_ACCESS_DENIED')).message).toMatch(/Request access .* Bedrock console/);
  });

  it('keeps the server message as detail where it names the exact problem', () => {
    const failure = toGatewayFailure(graphQLError('IMAGE_TOO_LARGE', 'file: 31 MB is over the 30 MB limit.'));
    expect(failure).toMatchObject({ code: 'IMAGE_TOO_LARGE', detail: 'file: 31 MB is over the 30 MB limit.' });
  });

  it('has a human message for every code in the gateway\'s ErrorCode table', () => {
    for (const code of [...Object.values(ErrorCode), 'INTERNAL_SERVER_ERROR']) {
      expect(toGatewayFailure(graphQLError(code)).message, code).not.toBe('server message');
    }
  });

  it('asks for an API key when the server refuses it over HTTP or closes the socket with 4403', () => {
    expect(toGatewayFailure(graphQLError('UNAUTHENTICATED')).message).toMatch(/needs an API key/);
    const forbidden = new CombinedError({ networkError: { code: 4403, reason: 'Forbidden' } as unknown as Error });
    expect(toGatewayFailure(forbidden).code).toBe('UNAUTHENTICATED');
  });

  it('shows an unknown code with the server message rather than hiding it', () => {
    expect(toGatewayFailure(graphQLError('SOMETHING_NEW', 'new thing'))).toEqual({ code: 'SOMETHING_NEW', message: 'new thing' });
  });

  it('treats an error without a code as masked and a transport failure as unreachable', () => {
    expect(toGatewayFailure(graphQLError(undefined)).code).toBe('INTERNAL_SERVER_ERROR');
    expect(toGatewayFailure(new CombinedError({ networkError: new Error('socket closed') }))).toMatchObject({
      code: 'NETWORK_ERROR',
      message: 'The server cannot be reached. Check your connection and try again.',
    });
  });
});
