import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { phonePhoto } from '../helpers/images.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The ```sh blocks of one `## ` section of the README, in order. */
export function shellBlocks(markdown: string, section: string): string[] {
  const start = markdown.indexOf(`\n## ${section}\n`);
  if (start === -1) throw new Error(`README has no "## ${section}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const body = markdown.slice(start, end === -1 ? undefined : end);
  return [...body.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** A 12-MP photo-like JPEG of a phone camera's weight (3–5 MB): noise blurred to a photo's detail. */
async function photoJpeg(): Promise<Buffer> {
  return sharp(await phonePhoto()).blur(1.2).jpeg({ quality: 92 }).toBuffer();
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

describe('README Examples, run as written against a real photo', () => {
  const blocks = shellBlocks(readFileSync(README, 'utf8'), 'Examples');
  let gateway: Gateway;
  let dir: string;
  beforeAll(async () => {
    gateway = await startGateway();
    dir = mkdtempSync(join(tmpdir(), 'readme-'));
    const photo = await photoJpeg();
    expect(photo.length).toBeGreaterThan(3_000_000);
    expect(photo.length).toBeLessThan(5_000_000);
    writeFileSync(join(dir, 'photo.jpg'), photo);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one block with bash in the photo's folder; only the README's host:port is swapped for the test server's. */
  function run(block: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const script = block.replaceAll('http://localhost:4000', gateway.url);
    // Asynchronous: the gateway answers from this same process.
    return new Promise((resolve) => {
      execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ status: error ? ((error.code as number | undefined) ?? null) : 0, stdout, stderr }),
      );
    });
  }

  it('has the SSE and the upload examples', () => {
    expect(blocks).toHaveLength(2);
  });

  it('streams a description of a 3–5 MB photo over SSE with curl', async () => {
    const result = await run(blocks[0]!);
    expect(result.stderr).not.toMatch(/Argument list too long|curl: \(/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^event: next$/m);
    expect(result.stdout).toContain('"done":true');
    expect(result.stdout).not.toContain('"errors"');
  });

  it('uploads the photo once, then describes it by its uploadId', async () => {
    const result = await run(blocks[1]!);
    expect(result.stderr).not.toMatch(/curl: \(/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/"uploadImage":\{"id":"[^"]+","width":1568,"height":1176/); // normalised to the model's long edge
    expect(result.stdout).toContain('"done":true');
    expect(result.stdout).not.toContain('"errors"');
  });
});
