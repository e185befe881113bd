import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed SDL: the contract for web/ and any other client. `npm run schema:print` rewrites it. */
export const SDL_PATH = new URL('../../schema/schema.graphql', import.meta.url);

export function printedSchema(): string {
  return printSchema(schema) + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(SDL_PATH, printedSchema());
  console.log(`wrote ${SDL_PATH.pathname}`);
}
