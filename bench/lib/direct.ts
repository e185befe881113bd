import { ConverseStreamCommand, InvokeModelWithResponseStreamCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { buildConverseInput } from '../../api/bedrock/adapters/converse.js';
import type { ModelRequest } from '../../api/bedrock/model-request.js';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { monotonicMs } from './clock.js';

const decoder = new TextDecoder();

/**
 * The floor: the same InvokeModelWithResponseStream call the gateway makes, from
 * the load generator straight to the upstream, each event decoded the obvious
 * way (the SDK's event-stream, then JSON.parse of the Anthropic event).
 */
export async function directStream(
  client: BedrockRuntimeClient,
  body: string,
  onFirstDelta?: (at: number) => void,
): Promise<{ sentAt: number; firstAt: number; endAt: number; text: string; deltas: number }> {
  const sentAt = monotonicMs();
  const response = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: LOCAL_MODEL_ID, contentType: 'application/json', accept: 'application/json', body }),
  );
  let firstAt = NaN;
  let text = '';
  let deltas = 0;
  for await (const event of response.body!) {
    const bytes = event.chunk?.bytes;
    if (!bytes) continue;
    const message = JSON.parse(decoder.decode(bytes)) as { type: string; delta?: { text?: string } };
    if (message.type !== 'content_block_delta' || !message.delta?.text) continue;
    if (deltas++ === 0) {
      firstAt = monotonicMs();
      onFirstDelta?.(firstAt);
    }
    text += message.delta.text;
  }
  return { sentAt, firstAt, endAt: monotonicMs(), text, deltas };
}

/**
 * The Converse floor: the same ConverseStream call the gateway makes through
 * its Converse adapter, read the obvious way (the SDK's deserialised events).
 */
export async function directConverseStream(
  client: BedrockRuntimeClient,
  request: ModelRequest,
): Promise<{ sentAt: number; firstAt: number; endAt: number; text: string; deltas: number }> {
  const sentAt = monotonicMs();
  const response = await client.send(new ConverseStreamCommand(buildConverseInput(request)));
  let firstAt = NaN;
  let text = '';
  let deltas = 0;
  for await (const event of response.stream!) {
    const delta = event.contentBlockDelta?.delta?.text;
    if (!delta) continue;
    if (deltas++ === 0) firstAt = monotonicMs();
    text += delta;
  }
  return { sentAt, firstAt, endAt: monotonicMs(), text, deltas };
}
