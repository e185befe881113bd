import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../context.js';

/** The one Pothos builder. Domain files add their own types and root fields. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    /** A file from a GraphQL multipart request (yoga parses it into a WHATWG File). */
    File: { Input: File; Output: never };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
});
