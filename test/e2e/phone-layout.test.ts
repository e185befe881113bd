import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserGateway } from './browser-gateway.js';
import { writeCameraY4m } from './fixtures.js';
import { ensureWebBuild, WEB_DIST } from './web-build.js';

const ARTIFACTS = join(process.cwd(), 'test-results', 'phone-layout');
/** A landscape 16:9 camera, as laptops and most phone cameras deliver by default. */
const WIDE_FRAME = { width: 1280, height: 720 };

const setup = useBrowserGateway({
  // Paced so that the description streams for a few seconds.
  gatewayEnv: { WEB_ROOT: WEB_DIST, LOCAL_MODEL_PACE_MS: '50' },
  prepare: async (workDir) => {
    ensureWebBuild();
    await mkdir(ARTIFACTS, { recursive: true });
    await writeCameraY4m(join(workDir, 'camera.y4m'), WIDE_FRAME);
  },
});

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const LAPTOP = { viewport: { width: 1280, height: 800 } };

async function open(device: typeof PHONE | typeof LAPTOP) {
  const context = await setup.browser.newContext({ ...device, permissions: ['camera'] });
  const page = await context.newPage();
  await page.goto(setup.gateway.url);
  await expect.poll(() => page.getByText('Local mode').first().isVisible()).toBe(true);
  return { context, page };
}

/** Where an element sits relative to the visible part of the page. */
const box = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, width: r.width, height: r.height, viewportHeight: window.innerHeight };
  });

/** The model select's label is narrower than the box it is drawn in (no ellipsis, no cut). */
const selectLabelFits = (page: Page) =>
  page.locator('.ask-card select').evaluate((select: HTMLSelectElement) => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const label = select.selectedOptions[0]?.textContent ?? '';
    const arrow = 24; // the drop-down arrow Chromium draws inside the padding box
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrow;
    return { label, text: context.measureText(label).width, room };
  });

describe('web client layout on a phone (390×844) and a laptop (1280×800)', () => {
  it('previews exactly the frame that is sent', async () => {
    for (const [name, device] of [['phone', PHONE], ['laptop', LAPTOP]] as const) {
      const { context, page } = await open(device);
      try {
        const shutter = page.getByRole('button', { name: /Capture/ });
        await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);
        const preview = await page.getByLabel('Camera preview').evaluate((video: HTMLVideoElement) => {
          const r = video.getBoundingClientRect();
          return { box: r.width / r.height, frame: video.videoWidth / video.videoHeight, fit: getComputedStyle(video).objectFit };
        });
        await page.screenshot({ path: join(ARTIFACTS, `preview-${name}.png`) });
        await shutter.click();
        const sent = page.locator('.sent-image img');
        await expect.poll(() => sent.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
        const sentAspect = await sent.evaluate((img: HTMLImageElement) => img.naturalWidth / img.naturalHeight);

        expect(sentAspect).toBeCloseTo(WIDE_FRAME.width / WIDE_FRAME.height, 2);
        expect(preview.frame).toBeCloseTo(sentAspect, 2);
        // The whole frame is drawn (never cropped by `cover`), in a box of the frame's own shape.
        expect(preview.fit).toBe('contain');
        expect(Math.abs(preview.box - sentAspect) / sentAspect, `${name}: preview box ${preview.box}, sent ${sentAspect}`).toBeLessThan(0.02);
      } finally {
        await context.close();
      }
    }
  }, 60_000);

  it('on a phone, brings the answer into view as it starts and keeps it there while it grows', async () => {
    const { context, page } = await open(PHONE);
    try {
      const shutter = page.getByRole('button', { name: /Capture/ });
      await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, 'phone-before.png') });
      await shutter.click();

      const samples: Array<{ length: number; top: number; bottom: number; viewportHeight: number }> = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const length = ((await page.getByTestId('description-text').textContent()) ?? '').length;
        if (length > 0) samples.push({ length, ...(await box(page, '.output')) });
        if (samples.length === 3) await page.screenshot({ path: join(ARTIFACTS, 'phone-streaming.png') });
        if (await page.getByText('Stop reason', { exact: true }).isVisible()) break;
        await page.waitForTimeout(150);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'phone-done.png') });
      expect(samples.length, 'the description streamed').toBeGreaterThan(3);
      expect(samples.at(-1)!.length).toBeGreaterThan(samples[0]!.length);
      // Let the first sample's scroll settle (smooth scrolling); from then on, the growing end stays on screen.
      for (const sample of samples.slice(2)) {
        expect(sample.bottom, JSON.stringify(sample)).toBeLessThanOrEqual(sample.viewportHeight + 1);
        expect(sample.bottom, JSON.stringify(sample)).toBeGreaterThan(0);
        expect(sample.top, JSON.stringify(sample)).toBeLessThan(sample.viewportHeight);
      }
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows the whole model name, and on a laptop the prompt and model controls without scrolling', async () => {
    for (const [name, device] of [['phone', PHONE], ['laptop', LAPTOP]] as const) {
      const { context, page } = await open(device);
      try {
        await expect.poll(() => page.locator('.ask-card select option').count()).toBeGreaterThan(0);
        const fit = await selectLabelFits(page);
        expect(fit.text, `${name}: "${fit.label}" is ${fit.text}px in ${fit.room}px`).toBeLessThanOrEqual(fit.room);
        await page.screenshot({ path: join(ARTIFACTS, `ask-${name}.png`), fullPage: true });
        if (name === 'laptop') {
          for (const selector of ['.ask-card textarea', '.ask-card select', '.capture-bar .shutter']) {
            const position = await box(page, selector);
            expect(position.bottom, `${selector} at 1280×800`).toBeLessThanOrEqual(position.viewportHeight);
          }
        }
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
