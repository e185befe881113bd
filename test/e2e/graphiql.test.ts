import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBrowserGateway } from './browser-gateway.js';

const setup = useBrowserGateway({ gatewayEnv: { LOCAL_MODEL_PACE_MS: '20' } });

describe('GraphiQL', () => {
  it('opens on the example subscription, which streams the sample image\'s description when run as is', async () => {
    const page = await setup.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${setup.gateway.url}/graphql`);
    await expect.poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 15_000 }).toContain('DescribeSample');
    const requested = setup.gateway.localBedrock!.nextRequest();
    await page.locator('.graphiql-execute-button').click();

    const request = await requested;
    expect(request.modelId).toBe('local.image-inspector');
    // Mid-stream, the result pane shows a chunk that is not the last one...
    await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 10_000 }).toMatch(/"done":\s*false/);
    // ...then the final chunk with usage.
    await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 15_000 }).toMatch(/"done":\s*true/);
    const final = (await page.locator('.graphiql-response').textContent()) ?? '';
    expect(final).toMatch(/"outputTokens":\s*\d+/);
    // The last payload is all GraphiQL shows: it carries the whole answer, not just an empty last chunk.
    expect(final).toMatch(/"description":\s*\{\s*"text":\s*"Local\s+image\s+inspector/);
    expect(await request.settled).toBe('completed');
    await page.screenshot({ path: join(process.cwd(), 'test-results', 'graphiql.png') });
    await page.close();
  }, 45_000);
});
