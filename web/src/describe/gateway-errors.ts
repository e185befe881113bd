/** A failure as the person sees it: what happened and what to do. */
export interface GatewayFailure {
  /** `extensions.code` from the gateway, or NETWORK_ERROR / CLIENT_ERROR for failures before it answered. */
  code: string;
  message: string;
  /** The gateway's own message, when it adds something (which field, which limit). */
  detail?: string;
}

/**
 * Human messages for the gateway's error codes (api/errors.ts, the `ErrorCode`
 * table). Codes whose server message names the exact problem keep it as detail.
 */
const MESSAGES: Record<string, { message: string; showDetail?: boolean }> = {
  BAD_USER_INPUT: { message: 'The request was not accepted.', showDetail: true },
  IMAGE_UNSUPPORTED: { message: 'That file is not an image the model can read. Use a JPEG, PNG, GIF or WebP image.' },
  IMAGE_CORRUPT: { message: 'The image could not be decoded; it may be damaged or incomplete. Try another one.' },
  IMAGE_TOO_LARGE: { message: 'The image is too large for the model.', showDetail: true },
  TOO_MANY_IMAGES: { message: 'Too many images for one request.', showDetail: true },
  PAYLOAD_TOO_LARGE: { message: 'The request is larger than Bedrock accepts. Try a smaller image.', showDetail: true },
  UPLOAD_NOT_FOUND: { message: 'The uploaded image has expired on the server. Capture or choose it again.' },
  MODEL_NOT_ALLOWED: { message: 'This server does not offer that model. Pick another one.' },
  MODEL_END_OF_LIFE: { message: 'Amazon Bedrock no longer serves that model.', showDetail: true },
  UPSTREAM_ACCESS_DENIED: {
    message:
      'Amazon Bedrock denied access to this model. Request access to it in the Bedrock console (Model access) for this region, or check the server’s IAM permissions.',
  },
  UPSTREAM_THROTTLED: { message: 'Amazon Bedrock is busy and throttled the request. Try again shortly.' },
  UPSTREAM_TIMEOUT: { message: 'The model took too long to answer. Try again.' },
  UPSTREAM_UNAVAILABLE: { message: 'The model is unavailable right now. Try again in a minute, or pick another model.' },
  UPSTREAM_VALIDATION: { message: 'Amazon Bedrock rejected the request.', showDetail: true },
  UPSTREAM_ERROR: { message: 'Amazon Bedrock reported an error. Try again.' },
  RATE_LIMITED: { message: 'The server is busy with other descriptions. Try again shortly.' },
  SHUTTING_DOWN: { message: 'The server is restarting. Try again in a moment.' },
  UNAUTHENTICATED: { message: 'This server needs an API key. Enter it under “Ask”, then try again.' },
  CANCELLED: { message: 'The request was cancelled before the answer was ready.' },
  STORE_UNAVAILABLE: { message: 'The server cannot reach its shared store right now. Try again in a moment.' },
  CSRF_REFUSED: { message: 'The server refused the request as a possible cross-site request. Reload the page and try again.' },
  QUERY_TOO_COMPLEX: { message: 'The request is more complex than the server allows.', showDetail: true },
  INTERNAL_SERVER_ERROR: { message: 'Something went wrong on the server. Try again.' },
  NETWORK_ERROR: { message: 'The server cannot be reached. Check your connection and try again.' },
};

/** graphql-ws `CloseCode.Forbidden`. */
const FORBIDDEN_CLOSE_CODE = 4403;

export interface ErrorLike {
  graphQLErrors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  networkError?: Error;
  message?: string;
}

/** The failure to show for a urql CombinedError (or anything shaped like one). */
export function toGatewayFailure(error: ErrorLike): GatewayFailure {
  const first = error.graphQLErrors?.[0];
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    const known = MESSAGES[code];
    if (!known) return { code, message: first.message };
    return { code, message: known.message, detail: known.showDetail ? first.message : undefined };
  }
  if (error.networkError) {
    // graphql-ws closes with 4403 Forbidden when the server refuses connection_init (no or a wrong API key).
    const closeCode = (error.networkError as { code?: unknown }).code;
    if (closeCode === FORBIDDEN_CLOSE_CODE) return { code: 'UNAUTHENTICATED', message: MESSAGES.UNAUTHENTICATED!.message };
    return { code: 'NETWORK_ERROR', message: MESSAGES.NETWORK_ERROR!.message };
  }
  return { code: 'CLIENT_ERROR', message: error.message ?? 'Something went wrong.' };
}

/** A failure in the browser itself (camera frame, image decoding), before anything was sent. */
export function clientFailure(error: unknown): GatewayFailure {
  return { code: 'CLIENT_ERROR', message: error instanceof Error ? error.message : String(error) };
}
