import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStale } from '../../scripts/build-if-stale.mjs';

const INPUTS = ['api', 'package.json'];
const OUTPUTS = ['dist/api/main.js', 'web/dist/index.html'];

/** A project folder whose files all carry the given mtime (seconds). */
function project(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  for (const path of Object.keys(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '');
  }
  // Folders first, then files, so a file write does not move its folder's mtime again.
  for (const [path, seconds] of Object.entries(files)) utimesSync(dirname(join(root, path)), seconds, seconds);
  for (const [path, seconds] of Object.entries(files)) utimesSync(join(root, path), seconds, seconds);
  return root;
}

const stale = (root: string) => isStale(root, INPUTS, OUTPUTS);

describe('prestart build check', () => {
  it('skips the build when every output is newer than every input', () => {
    const root = project({ 'api/main.ts': 100, 'package.json': 100, 'dist/api/main.js': 200, 'web/dist/index.html': 200 });
    expect(stale(root)).toBe(false);
    rmSync(root, { recursive: true });
  });

  it('builds when a source changed after the build', () => {
    const root = project({ 'api/main.ts': 300, 'package.json': 100, 'dist/api/main.js': 200, 'web/dist/index.html': 200 });
    expect(stale(root)).toBe(true);
    rmSync(root, { recursive: true });
  });

  it('builds when an output is missing', () => {
    const root = project({ 'api/main.ts': 100, 'package.json': 100, 'dist/api/main.js': 200 });
    expect(stale(root)).toBe(true);
    rmSync(root, { recursive: true });
  });

  it('builds when a source file was deleted (its folder changed)', () => {
    const root = project({ 'api/main.ts': 100, 'api/old.ts': 100, 'package.json': 100, 'dist/api/main.js': 200, 'web/dist/index.html': 200 });
    rmSync(join(root, 'api/old.ts'));
    expect(stale(root)).toBe(true);
    rmSync(root, { recursive: true });
  });
});
