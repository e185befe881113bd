import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GENERATED = join(ROOT, 'web/src/gql');

describe('web client codegen', () => {
  it('has committed web/src/gql exactly as codegen generates it from schema/schema.graphql', async () => {
    // In memory (saveToFile=false), so the check never rewrites what it checks.
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: ROOT, silent: true }, false);
    const expected = new Map(outputs.map((output) => [relative(ROOT, resolve(ROOT, output.filename)), output.content]));
    const committed = new Map<string, string>();
    for (const name of await readdir(GENERATED)) {
      const path = join(GENERATED, name);
      committed.set(relative(ROOT, path), await readFile(path, 'utf8'));
    }
    const hint = 'web/src/gql is stale: run `npm run codegen` and commit the result';
    expect([...committed.keys()].sort(), hint).toEqual([...expected.keys()].sort());
    for (const [file, content] of expected) expect(committed.get(file), `${hint} (${file})`).toBe(content);
  }, 30_000);
});
