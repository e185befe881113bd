import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { useBrowserGateway } from './browser-gateway.js';
import { launchChromium } from './chromium.js';
import { CAMERA_FRAME, writeLargePng } from './fixtures.js';
import { ensureWebBuild, WEB_DIST } from './web-build.js';

const ARTIFACTS = join(process.cwd(), 'test-results', 'web-client');
const PACE_MS = 20;
/** A made-up host name resolved to the gateway: http:// pages from it are not a secure context. */
const INSECURE_HOST = 'insecure.test';

const setup = useBrowserGateway({
  gatewayEnv: { WEB_ROOT: WEB_DIST, LOCAL_MODEL_PACE_MS: String(PACE_MS) },
  loopbackHosts: [INSECURE_HOST],
  // The gateway serves web/dist, so it must be built before the gateway starts.
  prepare: async (workDir) => {
    ensureWebBuild();
    await mkdir(ARTIFACTS, { recursive: true });
    await writeLargePng(join(workDir, 'photo.png'), 3000, 2000);
  },
});

async function openApp(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await setup.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(setup.gateway.url);
  return { context, page };
}

/** The deviceId the preview's video track really comes from. */
const previewDeviceId = (page: Page) =>
  page.getByLabel('Camera preview').evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream).getVideoTracks()[0]?.getSettings().deviceId);

const description = (page: Page) => page.getByTestId('description-text');
const status = (page: Page) => page.locator('.description [role=status]');

/** The lengths the description went through, sampled until `until` is visible. */
async function watchText(page: Page, until: string): Promise<number[]> {
  const lengths: number[] = [];
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const length = ((await description(page).textContent()) ?? '').length;
    if (length !== lengths.at(-1)) lengths.push(length);
    if (await page.getByText(until, { exact: true }).isVisible()) break;
    await page.waitForTimeout(15);
  }
  return lengths;
}

describe('web client', () => {
  it('captures a camera frame and streams its description chunk by chunk to completion', async () => {
    const { context, page } = await openApp({ permissions: ['camera'] });
    try {
      await expect.poll(() => page.getByText('Local mode').first().isVisible()).toBe(true);
      const shutter = page.getByRole('button', { name: /Capture/ });
      await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);

      const requestsBefore = setup.gateway.localBedrock!.requests.length;
      await page.keyboard.press('Space');
      const lengths = await watchText(page, 'Stop reason');

      const growing = lengths.filter((length) => length > 0);
      expect(growing.length, `description lengths seen: ${lengths.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect([...growing].sort((a, b) => a - b)).toEqual(growing);

      const text = (await description(page).textContent()) ?? '';
      expect(text).toContain(`JPEG of ${CAMERA_FRAME.width} × ${CAMERA_FRAME.height} pixels`);
      await expect.poll(() => status(page).textContent()).toMatch(/^Done in/);
      const stats = await page.getByRole('definition').allTextContents();
      expect(stats[0]).toBe('Finished');
      expect(stats[1]).toMatch(/^\d[\d,]* in( · [\d,]+ (from|written to) cache)? · \d+ out · \$0$/);
      expect(stats[2]).toMatch(/^(\d+ ms|\d+\.\d s)$/);
      expect(await page.getByText(/^Sent \d+(\.\d)? KB · 640 × 480 JPEG$/).isVisible()).toBe(true);

      const [request] = setup.gateway.localBedrock!.requests.slice(requestsBefore);
      expect(request?.outcome).toBe('completed');
      expect(await page.locator('.history li').count()).toBe(1);

      await page.screenshot({ path: join(ARTIFACTS, 'finished-desktop.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 30_000);

  it('aborts the upstream Bedrock stream when Stop is pressed mid-stream', async () => {
    const { context, page } = await openApp({ permissions: ['camera'] });
    const local = setup.gateway.localBedrock!;
    local.paceMs = 150;
    try {
      const shutter = page.getByRole('button', { name: /Capture/ });
      await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);
      const nextRequest = local.nextRequest();
      await shutter.click();
      const request = await nextRequest;
      await expect.poll(async () => ((await description(page).textContent()) ?? '').length, { timeout: 10_000 }).toBeGreaterThan(0);

      await page.getByRole('button', { name: 'Stop' }).click();
      const outcome = await Promise.race([
        request.settled,
        new Promise((resolve) => setTimeout(() => resolve('still open after 5 s'), 5_000)),
      ]);
      expect(outcome).toBe('aborted');
      expect(request.outcome).toBe('aborted');

      await expect.poll(() => status(page).textContent()).toBe('Stopped');
      const stoppedText = await description(page).textContent();
      await page.waitForTimeout(400);
      expect(await description(page).textContent()).toBe(stoppedText);
    } finally {
      local.paceMs = PACE_MS;
      await context.close();
    }
  }, 30_000);

  it('describes a chosen file, downscaled to the model\'s long edge and sent as JPEG, on a phone-sized screen', async () => {
    const png = join(setup.workDir, 'photo.png');
    const { context, page } = await openApp({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      await page.locator('input[type=file]').setInputFiles(png);
      await watchText(page, 'Stop reason');
      const text = (await description(page).textContent()) ?? '';
      expect(text).toContain('JPEG of 1568 × 1045 pixels');
      const caption = await page.locator('.sent-image figcaption').textContent();
      expect(caption).toMatch(/^Sent [\d.]+ KB · 1568 × 1045 JPEG \(from 3000 × 2000, [\d.]+ (KB|MB)\)$/);
      await page.screenshot({ path: join(ARTIFACTS, 'finished-phone.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 30_000);

  it('describes a pasted image and a dropped image', async () => {
    const { context, page } = await openApp();
    try {
      const base64 = (await readFile(join(setup.workDir, 'photo.png'))).toString('base64');
      const sendImage = (how: 'paste' | 'drop') =>
        page.evaluate(
          ({ how, base64 }) => {
            const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], `${how}.png`, { type: 'image/png' }));
            if (how === 'paste') {
              document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
              return;
            }
            const card = document.querySelector('.capture-card')!;
            for (const type of ['dragenter', 'dragover', 'drop']) {
              card.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
            }
          },
          { how, base64 },
        );

      await sendImage('paste');
      await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toMatch(/^Done in/);
      await sendImage('drop');
      await expect.poll(() => page.locator('.history li').count(), { timeout: 10_000 }).toBe(2);
      await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toMatch(/^Done in/);
      expect(await description(page).textContent()).toContain('JPEG of 1568 × 1045 pixels');
    } finally {
      await context.close();
    }
  }, 30_000);

  it('asks for the API key of a server that has them, then describes over HTTP and WebSocket with it', async () => {
    const locked = await startGateway({ WEB_ROOT: WEB_DIST, LOCAL_MODEL_PACE_MS: '0', API_KEYS: 'test-key-1' });
    const context = await setup.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(locked.url);
      const keyField = page.getByLabel('API key', { exact: true });
      await keyField.fill('wrong-key');
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(() => page.getByText('The server did not accept that key').isVisible()).toBe(true);

      await keyField.fill('test-key-1');
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(() => page.getByText('Local mode').first().isVisible(), { timeout: 5_000 }).toBe(true);
      await page.locator('input[type=file]').setInputFiles(join(setup.workDir, 'photo.png'));
      await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toMatch(/^Done in/);
      expect(locked.localBedrock!.requests.at(-1)?.outcome).toBe('completed');
    } finally {
      await context.close();
      await locked.stop();
    }
  }, 30_000);

  it('explains a refused camera permission and still offers a file', async () => {
    const context = await setup.browser.newContext();
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const page = await context.newPage();
    try {
      await page.goto(setup.gateway.url);
      const start = page.getByRole('button', { name: 'Start camera' });
      const alert = page.getByRole('alert');
      // The fake-UI flag makes the permission read as granted, so the app asks by itself;
      // where it reads as "prompt", the person has to press Start camera first.
      await expect
        .poll(async () => {
          if (await alert.isVisible()) return alert.textContent();
          if (await start.isVisible()) await start.click({ timeout: 1_000 }).catch(() => {});
          return '';
        }, { timeout: 5_000 })
        .toContain('Camera permission was denied');
      await page.screenshot({ path: join(ARTIFACTS, 'camera-denied.png') });
      expect(await page.getByText('Choose a file').isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('lists every camera in the picker and switches the preview and captures to the chosen one', async () => {
    // Chromium's moving test pattern, since its file-backed fake camera is only ever one device.
    const browser = await launchChromium({ cameras: 2 });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['camera'] });
      const page = await context.newPage();
      await page.goto(setup.gateway.url);
      const shutter = page.getByRole('button', { name: /Capture/ });
      await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);

      const cameras = await page.evaluate(async () =>
        (await navigator.mediaDevices.enumerateDevices())
          .filter((device) => device.kind === 'videoinput')
          .map(({ deviceId, label }) => ({ deviceId, label })),
      );
      expect(cameras.map((camera) => camera.label)).toEqual(['fake_device_0', 'fake_device_1']);
      const [first, second] = cameras as [(typeof cameras)[0], (typeof cameras)[0]];

      const picker = page.getByLabel('Camera', { exact: true });
      await expect.poll(() => picker.locator('option').count(), { timeout: 5_000 }).toBe(2);
      expect(await picker.locator('option').evaluateAll((options: HTMLOptionElement[]) => options.map((o) => [o.value, o.text]))).toEqual([
        [first.deviceId, first.label],
        [second.deviceId, second.label],
      ]);
      expect(await picker.inputValue()).toBe(first.deviceId);
      expect(await previewDeviceId(page)).toBe(first.deviceId);
      const firstTrack = await page.getByLabel('Camera preview').evaluateHandle((video: HTMLVideoElement) => (video.srcObject as MediaStream).getVideoTracks()[0]!);

      await picker.selectOption(second.deviceId);
      await expect.poll(() => previewDeviceId(page).catch(() => undefined), { timeout: 10_000 }).toBe(second.deviceId);
      expect(await picker.inputValue()).toBe(second.deviceId);
      // The first camera is released, not left running behind the new preview.
      expect(await firstTrack.evaluate((track) => track.readyState)).toBe('ended');

      // The new preview plays: the shutter comes back and a frame from it is described.
      await expect.poll(() => shutter.isEnabled(), { timeout: 10_000 }).toBe(true);
      await shutter.click();
      await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toMatch(/^Done in/);
      expect(await description(page).textContent()).toMatch(/JPEG of \d+ × \d+ pixels/);
      expect(setup.gateway.localBedrock!.requests.at(-1)?.outcome).toBe('completed');
      expect(await previewDeviceId(page)).toBe(second.deviceId);
      await page.screenshot({ path: join(ARTIFACTS, 'second-camera.png') });
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('explains that the camera needs a secure connection on a plain http:// host, and still describes a chosen file', async () => {
    const insecureUrl = new URL(setup.gateway.url);
    insecureUrl.hostname = INSECURE_HOST;
    const { context, page } = await openApp({ permissions: ['camera'] });
    try {
      await page.goto(insecureUrl.href);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);

      const alert = page.getByRole('alert');
      await expect.poll(() => alert.getAttribute('data-problem'), { timeout: 5_000 }).toBe('insecure-context');
      expect(await alert.textContent()).toContain('The camera needs a secure connection');
      expect(await alert.textContent()).toContain('Browsers only allow the camera on https:// pages or on localhost.');
      // Nothing to retry or start: the browser hides the camera on this origin altogether.
      expect(await page.getByRole('button', { name: /Try again|Start camera|Capture/ }).count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'insecure-context.png') });

      // Same origin for the API too (Host and Origin are both insecure.test), so no CORS_ORIGINS is needed.
      await expect.poll(() => page.getByText('Local mode').first().isVisible(), { timeout: 5_000 }).toBe(true);
      await page.locator('input[type=file]').setInputFiles(join(setup.workDir, 'photo.png'));
      await expect.poll(() => status(page).textContent(), { timeout: 10_000 }).toMatch(/^Done in/);
      expect(await description(page).textContent()).toContain('JPEG of 1568 × 1045 pixels');
      expect(setup.gateway.localBedrock!.requests.at(-1)?.outcome).toBe('completed');
    } finally {
      await context.close();
    }
  }, 30_000);
});
