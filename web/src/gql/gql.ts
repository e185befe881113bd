/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  subscription FollowUp($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      text\n      done\n      stopReason\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n    }\n  }\n": typeof types.FollowUpDocument,
    "\n  query EstimateFollowUp($input: DescribeImageInput!) {\n    estimateDescription(input: $input) {\n      inputTokens\n      exact\n      maxOutputTokens\n      minCostUsd\n      maxCostUsd\n    }\n  }\n": typeof types.EstimateFollowUpDocument,
    "\n  mutation UploadImage($file: File!) {\n    uploadImage(file: $file) {\n      id\n      byteSize\n      expiresAt\n    }\n  }\n": typeof types.UploadImageDocument,
    "\n  subscription DescribeImage($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      id\n      index\n      text\n      done\n      stopReason\n      modelId\n      latencyMs\n      firstTokenMs\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n      images {\n        width\n        height\n        byteSize\n        mediaType\n      }\n    }\n  }\n": typeof types.DescribeImageDocument,
    "\n  query Models {\n    models {\n      id\n      name\n      description\n      provider\n      isDefault\n      isLocal\n      recommendedLongEdge\n      maxImages\n      maxOutputTokens\n      prices {\n        input\n        output\n        cacheRead\n        cacheWrite\n      }\n      availability\n      lifecycle {\n        status\n        endOfLife\n        replacement\n      }\n      warnings\n    }\n    serverInfo {\n      bedrockMode\n      defaultModelId\n    }\n  }\n": typeof types.ModelsDocument,
};
const documents: Documents = {
    "\n  subscription FollowUp($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      text\n      done\n      stopReason\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n    }\n  }\n": types.FollowUpDocument,
    "\n  query EstimateFollowUp($input: DescribeImageInput!) {\n    estimateDescription(input: $input) {\n      inputTokens\n      exact\n      maxOutputTokens\n      minCostUsd\n      maxCostUsd\n    }\n  }\n": types.EstimateFollowUpDocument,
    "\n  mutation UploadImage($file: File!) {\n    uploadImage(file: $file) {\n      id\n      byteSize\n      expiresAt\n    }\n  }\n": types.UploadImageDocument,
    "\n  subscription DescribeImage($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      id\n      index\n      text\n      done\n      stopReason\n      modelId\n      latencyMs\n      firstTokenMs\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n      images {\n        width\n        height\n        byteSize\n        mediaType\n      }\n    }\n  }\n": types.DescribeImageDocument,
    "\n  query Models {\n    models {\n      id\n      name\n      description\n      provider\n      isDefault\n      isLocal\n      recommendedLongEdge\n      maxImages\n      maxOutputTokens\n      prices {\n        input\n        output\n        cacheRead\n        cacheWrite\n      }\n      availability\n      lifecycle {\n        status\n        endOfLife\n        replacement\n      }\n      warnings\n    }\n    serverInfo {\n      bedrockMode\n      defaultModelId\n    }\n  }\n": types.ModelsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FollowUp($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      text\n      done\n      stopReason\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription FollowUp($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      text\n      done\n      stopReason\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EstimateFollowUp($input: DescribeImageInput!) {\n    estimateDescription(input: $input) {\n      inputTokens\n      exact\n      maxOutputTokens\n      minCostUsd\n      maxCostUsd\n    }\n  }\n"): (typeof documents)["\n  query EstimateFollowUp($input: DescribeImageInput!) {\n    estimateDescription(input: $input) {\n      inputTokens\n      exact\n      maxOutputTokens\n      minCostUsd\n      maxCostUsd\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadImage($file: File!) {\n    uploadImage(file: $file) {\n      id\n      byteSize\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation UploadImage($file: File!) {\n    uploadImage(file: $file) {\n      id\n      byteSize\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DescribeImage($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      id\n      index\n      text\n      done\n      stopReason\n      modelId\n      latencyMs\n      firstTokenMs\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n      images {\n        width\n        height\n        byteSize\n        mediaType\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription DescribeImage($input: DescribeImageInput!) {\n    describeImage(input: $input) {\n      id\n      index\n      text\n      done\n      stopReason\n      modelId\n      latencyMs\n      firstTokenMs\n      usage {\n        inputTokens\n        outputTokens\n        cacheReadInputTokens\n        cacheWriteInputTokens\n        costUsd\n      }\n      images {\n        width\n        height\n        byteSize\n        mediaType\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models {\n    models {\n      id\n      name\n      description\n      provider\n      isDefault\n      isLocal\n      recommendedLongEdge\n      maxImages\n      maxOutputTokens\n      prices {\n        input\n        output\n        cacheRead\n        cacheWrite\n      }\n      availability\n      lifecycle {\n        status\n        endOfLife\n        replacement\n      }\n      warnings\n    }\n    serverInfo {\n      bedrockMode\n      defaultModelId\n    }\n  }\n"): (typeof documents)["\n  query Models {\n    models {\n      id\n      name\n      description\n      provider\n      isDefault\n      isLocal\n      recommendedLongEdge\n      maxImages\n      maxOutputTokens\n      prices {\n        input\n        output\n        cacheRead\n        cacheWrite\n      }\n      availability\n      lifecycle {\n        status\n        endOfLife\n        replacement\n      }\n      warnings\n    }\n    serverInfo {\n      bedrockMode\n      defaultModelId\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;