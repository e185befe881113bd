import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { useBrowserGateway, type Gateway } from './browser-gateway.js';
import { writeLargePng } from './fixtures.js';
import { ensureWebBuild, WEB_DIST } from './web-build.js';

const PACE_MS = 20;

const setup = useBrowserGateway({
  gatewayEnv: { WEB_ROOT: WEB_DIST, LOCAL_MODEL_PACE_MS: String(PACE_MS) },
  prepare: async (workDir) => {
    ensureWebBuild();
    await writeLargePng(join(workDir, 'photo.png'), 1200, 800);
  },
});

async function describeFile(browser: Browser, gateway: Gateway): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(gateway.url);
  await page.locator('input[type=file]').setInputFiles(join(setup.workDir, 'photo.png'));
  await expect.poll(() => page.getByText('Stop reason').isVisible(), { timeout: 15_000 }).toBe(true);
  return page;
}

type Message = { role: string; content: { type: string; text?: string }[] };

describe('follow-up questions in the web client', () => {
  it('asks a follow-up about the uploaded image and streams the second answer under the first, priced before and after', async () => {
    const page = await describeFile(setup.browser, setup.gateway);
    try {
      const first = (await page.getByTestId('description-text').textContent()) ?? '';
      expect(first.length).toBeGreaterThan(0);
      const box = page.getByLabel('Ask a follow-up');
      await box.fill('What colours are in it?');
      // The estimate is shown next to the button before anything is sent.
      await expect.poll(() => page.getByTestId('follow-up-estimate').textContent(), { timeout: 5_000 }).toMatch(/tokens in/);

      const requests = setup.gateway.localBedrock!.requests;
      const before = requests.length;
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      const answer = page.getByTestId('follow-up-answer');
      const lengths: number[] = [];
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !(await page.getByTestId('follow-up-usage').isVisible())) {
        const length = ((await answer.textContent()) ?? '').length;
        if (length !== lengths.at(-1)) lengths.push(length);
        await page.waitForTimeout(15);
      }
      expect(lengths.filter((l) => l > 0).length, `answer lengths seen: ${lengths.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId('follow-up-usage').textContent()).toMatch(/^\d[\d,]* in · [\d,]+ from cache · \d+ out · \$0$/);
      // The first answer is still there, unchanged, above the second.
      expect(await page.getByTestId('description-text').textContent()).toBe(first);
      expect(await page.locator('.exchange .question').textContent()).toBe('What colours are in it?');
      await page.screenshot({ path: join(process.cwd(), 'test-results', 'follow-up.png'), fullPage: true });

      // One request upstream: the thread's turns, the image by upload id (no second upload), in the first turn only.
      const sent = requests.slice(before);
      expect(sent).toHaveLength(1);
      const messages = (sent[0]!.body as { messages: Message[] }).messages;
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(messages[0]!.content.filter((c) => c.type === 'image')).toHaveLength(1);
      expect(messages[1]!.content).toEqual([{ type: 'text', text: first }]);
      expect(messages[2]!.content).toEqual([{ type: 'text', text: 'What colours are in it?' }]);
    } finally {
      await page.context().close();
    }
  }, 40_000);

  describe('after the upload expires', () => {
    let gateway: Gateway | undefined;
    afterAll(() => gateway?.stop());

    it('says so and offers to upload the image again, then goes on with the thread', async () => {
      gateway = await startGateway({ WEB_ROOT: WEB_DIST, LOCAL_MODEL_PACE_MS: '0', UPLOAD_TTL_SECONDS: '3' });
      const page = await describeFile(setup.browser, gateway);
      try {
        await page.waitForTimeout(3_200);
        await page.getByLabel('Ask a follow-up').fill('And the edges?');
        const notice = page.locator('.conversation [data-code=UPLOAD_NOT_FOUND]');
        await expect.poll(() => notice.isVisible(), { timeout: 5_000 }).toBe(true);
        expect(await notice.textContent()).toMatch(/expired/);
        await page.getByRole('button', { name: 'Upload again' }).click();
        await expect.poll(() => page.getByLabel('Ask a follow-up').isVisible(), { timeout: 5_000 }).toBe(true);
        await page.getByLabel('Ask a follow-up').fill('And the edges?');
        await page.getByRole('button', { name: 'Ask', exact: true }).click();
        await expect.poll(() => page.getByTestId('follow-up-usage').isVisible(), { timeout: 10_000 }).toBe(true);
        expect(((await page.getByTestId('follow-up-answer').textContent()) ?? '').length).toBeGreaterThan(0);
      } finally {
        await page.context().close();
      }
    }, 40_000);
  });
});
