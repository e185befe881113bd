import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { launchChromium } from './chromium.js';
import { writeCameraY4m } from './fixtures.js';

let gateway: Awaited<ReturnType<typeof startGateway>>;
let browser: Browser;
let work: string;
let setupError: unknown;

beforeAll(async () => {
  try {
    work = await mkdtemp(join(tmpdir(), 'graphiql-e2e-'));
    await writeCameraY4m(join(work, 'camera.y4m'));
    gateway = await startGateway({ LOCAL_MODEL_PACE_MS: '20' });
    browser = await launchChromium(join(work, 'camera.y4m'));
  } catch (error) {
    setupError = error;
  }
}, 60_000);

// Fails with the setup's reason (e.g. how to install Chromium) rather than skipping.
beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('GraphiQL', () => {
  it('opens on the example subscription, which streams the sample image\'s description when run as is', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${gateway.url}/graphql`);
    await expect.poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 15_000 }).toContain('DescribeSample');
    const requested = gateway.localBedrock!.nextRequest();
    await page.locator('.graphiql-execute-button').click();

    const request = await requested;
    expect(request.modelId).toBe('local.image-inspector');
    // Mid-stream, the result pane shows a chunk that is not the last one...
    await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 10_000 }).toMatch(/"done":\s*false/);
    // ...then the final chunk with usage.
    await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 15_000 }).toMatch(/"done":\s*true/);
    expect(await page.locator('.graphiql-response').textContent()).toMatch(/"outputTokens":\s*\d+/);
    expect(await request.settled).toBe('completed');
    await page.screenshot({ path: join(process.cwd(), 'test-results', 'graphiql.png') });
    await page.close();
  }, 45_000);
});
