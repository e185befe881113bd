import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { inspectMessagesBody, type MessagesBody } from './image-inspector.js';

/** Bedrock's CountTokens: POST /model/{modelId}/count-tokens. */
export const COUNT_TOKENS_ROUTE = /^\/model\/([^/]+)\/count-tokens$/;

/**
 * Answers CountTokens for an InvokeModel body (`{"input": {"invokeModel": {"body": "<base64>"}}}`)
 * with the input tokens the local model reports for that body when it runs it,
 * so an estimate can be checked against the count offline.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
 */
export async function serveCountTokens(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: MessagesBody;
  try {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input?: { invokeModel?: { body?: string } } };
    body = JSON.parse(Buffer.from(request.input?.invokeModel?.body ?? '', 'base64').toString('utf8')) as MessagesBody;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' });
    res.end(JSON.stringify({ message: 'CountTokens takes input.invokeModel.body: a base64 InvokeModel body.' }));
    return;
  }
  const { inputTokens } = await inspectMessagesBody(body);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ inputTokens }));
}
