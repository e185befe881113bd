#!/usr/bin/env node
// `npm start`'s prestart: runs `npm run build` only when an output is missing
// or older than an input, so a start with nothing changed takes no build time.
// Directories count by their own mtime too, so a deleted or renamed source file
// (which changes its folder's mtime) also triggers a build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `npm run build` reads. */
export const INPUTS = ['api', 'web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'web/precompress.ts', 'schema', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** What it writes: the last file each of its two steps produces. */
export const OUTPUTS = ['dist/api/main.js', 'web/dist/index.html'];

/** Newest mtime (ms) under a path, directories included; 0 when it does not exist. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Whether the build outputs under `root` are missing or older than any input. */
export function isStale(root, inputs = INPUTS, outputs = OUTPUTS) {
  const newestInput = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
  return outputs.some((p) => {
    const out = join(root, p);
    return !existsSync(out) || statSync(out).mtimeMs < newestInput;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = process.cwd();
  if (isStale(root)) {
    const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(result.status ?? 1);
  }
  console.log('Build is up to date (dist/, web/dist/ newer than their sources); skipping npm run build.');
}
