import type { Client } from '@urql/core';
import { graphql } from '../gql';
import type { ConversationRole, FollowUpSubscription } from '../gql/graphql';
import { clientFailure, toGatewayFailure, type GatewayFailure } from '../describe/gateway-errors';
import { uploadImageFile } from '../describe/run-description';

const FollowUp = graphql(/* GraphQL */ `
  subscription FollowUp($input: DescribeImageInput!) {
    describeImage(input: $input) {
      text
      done
      stopReason
      usage {
        inputTokens
        outputTokens
        cacheReadInputTokens
        cacheWriteInputTokens
        costUsd
      }
    }
  }
`);

const EstimateFollowUp = graphql(/* GraphQL */ `
  query EstimateFollowUp($input: DescribeImageInput!) {
    estimateDescription(input: $input) {
      inputTokens
      exact
      maxOutputTokens
      minCostUsd
      maxCostUsd
    }
  }
`);

export type FollowUpChunk = FollowUpSubscription['describeImage'];
export type Usage = NonNullable<FollowUpChunk['usage']>;

export interface Turn {
  role: ConversationRole;
  text: string;
}

/** A question about the images already on the server: they are sent by id, never again as bytes. */
export interface FollowUpRequest {
  uploadId: string;
  history: Turn[];
  prompt: string;
  modelId?: string;
}

export interface Estimate {
  inputTokens: number;
  exact: boolean;
  maxOutputTokens: number;
  minCostUsd?: number | null;
  maxCostUsd?: number | null;
}

const inputOf = (request: FollowUpRequest) => ({
  images: [{ uploadId: request.uploadId }],
  history: request.history,
  prompt: request.prompt,
  modelId: request.modelId,
});

/** Streams the answer to a follow-up; returns `stop`, which ends the subscription (the server aborts upstream). */
export function runFollowUp(
  client: Client,
  request: FollowUpRequest,
  on: { chunk(chunk: FollowUpChunk): void; failed(failure: GatewayFailure): void },
): () => void {
  const subscription = client.subscription(FollowUp, { input: inputOf(request) }).subscribe((result) => {
    if (result.error) {
      on.failed(toGatewayFailure(result.error));
      subscription.unsubscribe();
    } else if (result.data) {
      on.chunk(result.data.describeImage);
    }
  });
  return () => subscription.unsubscribe();
}

/** What the follow-up would cost, checked by the server exactly as the question would be. */
export async function estimateFollowUp(client: Client, request: FollowUpRequest): Promise<Estimate | GatewayFailure> {
  const result = await client.query(EstimateFollowUp, { input: inputOf(request) }, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) return toGatewayFailure(result.error);
  if (!result.data) return clientFailure('The estimate returned nothing.');
  return result.data.estimateDescription;
}

/** Puts the thread's image on the server again after its upload expired. */
export const uploadAgain = uploadImageFile;

export const isFailure = (value: object): value is GatewayFailure => 'code' in value && 'message' in value;
