/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type BedrockMode =
  /** Amazon Bedrock, through the AWS SDK and its credentials. */
  | 'AWS'
  /** The embedded offline endpoint: no AWS account used, no cost. */
  | 'LOCAL';

/** Who spoke a turn of a conversation. */
export type ConversationRole =
  | 'ASSISTANT'
  | 'USER';

/** One earlier turn of a conversation about the images. */
export type ConversationTurnInput = {
  role: ConversationRole;
  text: string;
};

export type DescribeImageInput = {
  /** Text the answer must start with; the streamed text continues from it (trailing whitespace is dropped). */
  answerPrefix?: string | null | undefined;
  /** Earlier turns of this conversation, oldest first. The images belong to the first user turn. Starts with USER, alternates and ends with ASSISTANT (the prompt is the next USER turn); at most MAX_HISTORY_TURNS turns. */
  history?: Array<ConversationTurnInput> | null | undefined;
  /** 1 to 20 images, in the order the model sees them. */
  images: Array<ImageInput>;
  /** Most tokens to generate. Default 1024, at most the model's maxOutputTokens. */
  maxTokens?: number | null | undefined;
  /** One of Query.models; default: the flagged default model. */
  modelId?: string | null | undefined;
  /** What to ask about the images. Default: a detailed description. */
  prompt?: string | null | undefined;
  /** Up to 8 strings that end generation. */
  stopSequences?: Array<string> | null | undefined;
  /** An optional system prompt. */
  system?: string | null | undefined;
  /** 0 to 1. */
  temperature?: number | null | undefined;
  /** 0 to 500. */
  topK?: number | null | undefined;
  /** 0 to 1. */
  topP?: number | null | undefined;
};

/** One image: exactly one of base64 or uploadId. */
export type ImageInput =
  {   /** The image bytes as raw base64, or a data:image/...;base64,... URL. */
  base64: string; uploadId?: never; }
  |  { base64?: never;   /** The id returned by uploadImage. */
  uploadId: string | number; };

export type LifecycleStatus =
  | 'ACTIVE'
  /** Bedrock no longer serves it; requests are refused before any call. */
  | 'END_OF_LIFE'
  /** Still works; Bedrock has set or will set an end-of-life date. */
  | 'LEGACY';

/** Whether this account and Region can call the model, as Bedrock's model discovery last said. */
export type ModelAvailability =
  | 'AVAILABLE'
  /** Bedrock does not list it (or the profile) for this account and Region. */
  | 'UNAVAILABLE'
  /** Not known: local mode, discovery off or not permitted, or not answered yet. */
  | 'UNKNOWN';

export type FollowUpSubscriptionVariables = Exact<{
  input: DescribeImageInput;
}>;


export type FollowUpSubscription = { describeImage: { text: string, done: boolean, stopReason: string | null, usage: { inputTokens: number, outputTokens: number, cacheReadInputTokens: number, cacheWriteInputTokens: number, costUsd: number | null } | null } };

export type EstimateFollowUpQueryVariables = Exact<{
  input: DescribeImageInput;
}>;


export type EstimateFollowUpQuery = { estimateDescription: { inputTokens: number, exact: boolean, maxOutputTokens: number, minCostUsd: number | null, maxCostUsd: number | null } };

export type UploadImageMutationVariables = Exact<{
  file: File;
}>;


export type UploadImageMutation = { uploadImage: { id: string, byteSize: number, expiresAt: string } };

export type DescribeImageSubscriptionVariables = Exact<{
  input: DescribeImageInput;
}>;


export type DescribeImageSubscription = { describeImage: { id: string, index: number, text: string, done: boolean, stopReason: string | null, modelId: string | null, latencyMs: number | null, firstTokenMs: number | null, usage: { inputTokens: number, outputTokens: number, cacheReadInputTokens: number, cacheWriteInputTokens: number, costUsd: number | null } | null, images: Array<{ width: number, height: number, byteSize: number, mediaType: string }> | null } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ id: string, name: string, description: string, provider: string, isDefault: boolean, isLocal: boolean, recommendedLongEdge: number, maxImages: number, maxOutputTokens: number, availability: ModelAvailability, warnings: Array<string>, prices: { input: number | null, output: number | null, cacheRead: number | null, cacheWrite: number | null }, lifecycle: { status: LifecycleStatus, endOfLife: string | null, replacement: string | null } }>, serverInfo: { bedrockMode: BedrockMode, defaultModelId: string } };


export const FollowUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"FollowUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DescribeImageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"describeImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"stopReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cacheReadInputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cacheWriteInputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}}]}}]}}]}}]} as unknown as DocumentNode<FollowUpSubscription, FollowUpSubscriptionVariables>;
export const EstimateFollowUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"EstimateFollowUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DescribeImageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"estimateDescription"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"exact"}},{"kind":"Field","name":{"kind":"Name","value":"maxOutputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"minCostUsd"}},{"kind":"Field","name":{"kind":"Name","value":"maxCostUsd"}}]}}]}}]} as unknown as DocumentNode<EstimateFollowUpQuery, EstimateFollowUpQueryVariables>;
export const UploadImageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadImage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"File"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"byteSize"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<UploadImageMutation, UploadImageMutationVariables>;
export const DescribeImageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DescribeImage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DescribeImageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"describeImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"stopReason"}},{"kind":"Field","name":{"kind":"Name","value":"modelId"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"firstTokenMs"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cacheReadInputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cacheWriteInputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costUsd"}}]}},{"kind":"Field","name":{"kind":"Name","value":"images"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}},{"kind":"Field","name":{"kind":"Name","value":"byteSize"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}}]}}]}}]}}]} as unknown as DocumentNode<DescribeImageSubscription, DescribeImageSubscriptionVariables>;
export const ModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"isLocal"}},{"kind":"Field","name":{"kind":"Name","value":"recommendedLongEdge"}},{"kind":"Field","name":{"kind":"Name","value":"maxImages"}},{"kind":"Field","name":{"kind":"Name","value":"maxOutputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"prices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"cacheRead"}},{"kind":"Field","name":{"kind":"Name","value":"cacheWrite"}}]}},{"kind":"Field","name":{"kind":"Name","value":"availability"}},{"kind":"Field","name":{"kind":"Name","value":"lifecycle"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"endOfLife"}},{"kind":"Field","name":{"kind":"Name","value":"replacement"}}]}},{"kind":"Field","name":{"kind":"Name","value":"warnings"}}]}},{"kind":"Field","name":{"kind":"Name","value":"serverInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bedrockMode"}},{"kind":"Field","name":{"kind":"Name","value":"defaultModelId"}}]}}]}}]} as unknown as DocumentNode<ModelsQuery, ModelsQueryVariables>;