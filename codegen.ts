import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for the web client's operations, from the printed SDL (the contract),
 * never from api/ code, so the client builds against what the server promises.
 * test/web/codegen-fresh.test.ts fails when web/src/gql is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
  ignoreNoDocuments: true,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { File: 'File' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
