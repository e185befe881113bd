import type { Client } from '@urql/core';
import { graphql } from '../gql';
import type { DescribeImageSubscription as Chunk } from '../gql/graphql';
import { clientFailure, toGatewayFailure, type GatewayFailure } from './gateway-errors';

const UploadImage = graphql(/* GraphQL */ `
  mutation UploadImage($file: File!) {
    uploadImage(file: $file) {
      id
      byteSize
      expiresAt
    }
  }
`);

const DescribeImage = graphql(/* GraphQL */ `
  subscription DescribeImage($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      index
      text
      done
      stopReason
      modelId
      latencyMs
      firstTokenMs
      usage {
        inputTokens
        outputTokens
        cacheReadInputTokens
        cacheWriteInputTokens
        costUsd
      }
      images {
        width
        height
        byteSize
        mediaType
      }
    }
  }
`);

export type DescriptionChunk = Chunk['describeImage'];

/** An image held by the server: reused by "Ask again" until it expires. */
export interface Upload {
  id: string;
  byteSize: number;
  expiresAt: number;
}

export interface DescriptionRequest {
  image: Blob;
  /** From an earlier run with the same image; uploaded again when missing or about to expire. */
  upload?: Upload;
  prompt: string;
  modelId?: string;
}

export type DescriptionEvent =
  | { type: 'uploading'; bytes: number }
  | { type: 'uploaded'; upload: Upload; reused: boolean }
  | { type: 'chunk'; chunk: DescriptionChunk }
  | { type: 'failed'; failure: GatewayFailure };

/** Ids this close to expiry are not worth the risk of an UPLOAD_NOT_FOUND mid-request. */
const UPLOAD_EXPIRY_MARGIN_MS = 60_000;

/**
 * Uploads the image, then streams its description. The image goes up as a
 * GraphQL multipart upload rather than base64 inside the subscription: the
 * JPEG travels as raw bytes (base64 is a third larger), the WebSocket message
 * stays tiny, and the returned id lets "Ask again" skip the upload.
 *
 * Returns `stop`, which ends the subscription; graphql-ws then sends `complete`
 * and the server aborts the upstream Bedrock call.
 */
/** Uploads an image (GraphQL multipart) and returns the id the server holds it under. */
export async function uploadImageFile(client: Client, image: Blob): Promise<Upload | GatewayFailure> {
  const file = new File([image], 'capture.jpg', { type: image.type || 'image/jpeg' });
  const result = await client.mutation(UploadImage, { file }, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) return toGatewayFailure(result.error);
  if (!result.data) return clientFailure('The upload returned nothing.');
  const { id, byteSize, expiresAt } = result.data.uploadImage;
  return { id, byteSize, expiresAt: Date.parse(expiresAt) };
}

export function runDescription(client: Client, request: DescriptionRequest, onEvent: (event: DescriptionEvent) => void): () => void {
  let stopped = false;
  let unsubscribe: (() => void) | undefined;

  const emit = (event: DescriptionEvent) => {
    if (!stopped) onEvent(event);
  };

  async function upload(): Promise<Upload | undefined> {
    if (request.upload && request.upload.expiresAt - Date.now() > UPLOAD_EXPIRY_MARGIN_MS) {
      emit({ type: 'uploaded', upload: request.upload, reused: true });
      return request.upload;
    }
    emit({ type: 'uploading', bytes: request.image.size });
    const uploaded = await uploadImageFile(client, request.image);
    if ('code' in uploaded) {
      emit({ type: 'failed', failure: uploaded });
      return undefined;
    }
    emit({ type: 'uploaded', upload: uploaded, reused: false });
    return uploaded;
  }

  function subscribe(uploaded: Upload) {
    const input = { images: [{ uploadId: uploaded.id }], prompt: request.prompt, modelId: request.modelId };
    const subscription = client.subscription(DescribeImage, { input }).subscribe((result) => {
      if (result.error) {
        emit({ type: 'failed', failure: toGatewayFailure(result.error) });
        subscription.unsubscribe();
      } else if (result.data) {
        emit({ type: 'chunk', chunk: result.data.describeImage });
      }
    });
    unsubscribe = () => subscription.unsubscribe();
  }

  upload()
    .then((uploaded) => {
      if (uploaded && !stopped) subscribe(uploaded);
    })
    .catch((error: unknown) => emit({ type: 'failed', failure: clientFailure(error) }));

  return () => {
    stopped = true;
    unsubscribe?.();
  };
}
