import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveModel } from '../../api/bedrock/catalogue/index.js';
import { onDemandId } from '../../api/bedrock/models.js';
import { startLocalBedrock, type LocalBedrock, type ReceivedRequest } from '../../api/local/endpoint.js';
import { partsOfConverseBody, partsOfMessagesBody } from '../../api/local/image-inspector.js';
import { startGateway } from '../helpers/gateway.js';
import { launchChromium } from './chromium.js';
import { writeLargePng } from './fixtures.js';
import { ensureWebBuild, WEB_DIST } from './web-build.js';

// The picker in AWS mode: local mode offers only the local model, so the gateway
// calls a Bedrock-compatible endpoint on loopback with the real SDK, as in
// test/integration/every-model.test.ts, and serves the built client.

const ARTIFACTS = join(process.cwd(), 'test-results', 'model-picker');
const entry = (id: string) => resolveModel(id)!.entry;
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const NOVA = onDemandId(entry('amazon.nova-lite-v1:0'));
const LLAMA = onDemandId(entry('meta.llama4-maverick-17b-instruct-v1:0'));
const PIXTRAL = onDemandId(entry('mistral.pixtral-large-2502-v1:0'));
/** Past its end of life: listed, marked, never priced. */
const RETIRED = 'anthropic.claude-3-haiku-20240307-v1:0';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let upstream: LocalBedrock;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let browser: Browser;
let workDir: string;
let setupError: unknown;

beforeAll(async () => {
  try {
    ensureWebBuild();
    await mkdir(ARTIFACTS, { recursive: true });
    workDir = await mkdtemp(join(tmpdir(), 'model-picker-e2e-'));
    await writeLargePng(join(workDir, 'photo.png'), 3000, 2000);
    upstream = await startLocalBedrock();
    gateway = await startGateway(
      {
        BEDROCK_MODE: 'aws',
        WEB_ROOT: WEB_DIST,
        ALLOWED_MODEL_IDS: [HAIKU, NOVA, LLAMA, PIXTRAL, RETIRED].join(','),
        DEFAULT_MODEL_ID: HAIKU,
        MODEL_DISCOVERY_INTERVAL_MS: '0',
      },
      { endpoint: upstream.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
    );
    browser = await launchChromium();
  } catch (error) {
    setupError = error;
  }
}, 120_000);

// Every test fails with the setup's reason (e.g. how to install Chromium) rather than being skipped.
beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await upstream?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function openPhone(): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(gateway.url);
  await expect.poll(() => page.locator('.ask-card select option').count()).toBeGreaterThan(1);
  return page;
}

const picker = (page: Page) => page.getByRole('combobox', { name: /Model/ });
const note = (page: Page) => page.getByTestId('model-note');

/** The catalogue's price as the option shows it (these models' prices need no cents padding). */
const priced = (id: string, name: string) => {
  const { prices } = entry(id);
  return `${name} · $${prices.input} / $${prices.output} per M tokens`;
};

/**
 * Width and height of the JPEG the browser uploaded. Chromium does not expose a blob-backed
 * request body, so this reads the blob behind the sent-image thumbnail (the object URL of the
 * blob that is uploaded) and checks the request carried that many bytes plus the multipart framing.
 */
async function uploadedJpegSize(page: Page, upload: Request) {
  const bytes = await page
    .locator('.sent-image img')
    .evaluate(async (img: HTMLImageElement) => [...new Uint8Array(await (await fetch(img.src)).arrayBuffer())]);
  const contentLength = Number((await upload.allHeaders())['content-length']);
  expect(contentLength - bytes.length).toBeGreaterThan(0);
  expect(contentLength - bytes.length, 'multipart framing around the JPEG').toBeLessThan(1000);
  const { width, height, format } = await sharp(Buffer.from(bytes)).metadata();
  return { width, height, format };
}

/** Width and height of the image the gateway sent upstream. */
async function upstreamImageSize(received: ReceivedRequest) {
  const parts =
    received.operation === 'converse-stream'
      ? partsOfConverseBody(received.body)
      : received.operation === 'invoke-with-response-stream'
        ? partsOfMessagesBody(received.body)
        : [];
  const image = parts.find((part) => part.kind === 'image');
  if (!image || image.kind !== 'image') throw new Error('no image upstream');
  const { width, height, format } = await sharp(image.bytes).metadata();
  return { width, height, format };
}

/** Chooses the photo with the picker set to `modelId`; returns the browser's upload and the upstream request. */
async function describeWith(page: Page, modelId: string, text: string) {
  await picker(page).selectOption(modelId);
  upstream.script({ kind: 'text', deltas: [text] });
  const upload = page.waitForRequest((r) => r.url().endsWith('/graphql') && /multipart/.test(r.headers()['content-type'] ?? ''));
  const received = new Promise<ReceivedRequest>((resolve) => upstream.once('request', resolve));
  await page.locator('input[type=file]').setInputFiles(join(workDir, 'photo.png'));
  const request = await received;
  await expect.poll(() => page.getByTestId('description-text').textContent(), { timeout: 10_000 }).toBe(text);
  return { sent: await uploadedJpegSize(page, await upload), request, upstream: await upstreamImageSize(request) };
}

describe('model picker against the Bedrock catalogue', () => {
  it('groups the models by provider with their prices, and marks the retired one', async () => {
    const page = await openPhone();
    try {
      const groups = await picker(page).evaluate((select: HTMLSelectElement) =>
        [...select.querySelectorAll('optgroup')].map((group) => ({
          label: group.label,
          options: [...group.querySelectorAll('option')].map((option) => option.textContent),
        })),
      );
      expect(groups).toEqual([
        { label: 'Anthropic', options: [priced(HAIKU, 'Claude Haiku 4.5'), 'Claude 3 Haiku (end of life)'] },
        { label: 'Amazon', options: [priced(NOVA, 'Amazon Nova Lite')] },
        { label: 'Meta', options: [priced(LLAMA, 'Llama 4 Maverick 17B')] },
        { label: 'Mistral AI', options: [priced(PIXTRAL, 'Pixtral Large')] },
      ]);
      expect(await picker(page).inputValue()).toBe(HAIKU);
      await expect.poll(() => note(page).textContent()).toContain('Claude Haiku 4.5');
      expect(await note(page).textContent()).toContain('Input $1 · output $5 · cache read $0.10 · cache write $1.25 per million tokens.');
      // Discovery is off here: the server has not asked Bedrock what this account may call.
      expect(await note(page).textContent()).toContain('Availability unknown');

      // On a 390 px phone the selected model's name (before the price) fits in the closed select.
      const fit = await picker(page).evaluate((select: HTMLSelectElement) => {
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const name = (select.selectedOptions[0]?.textContent ?? '').split(' · ')[0]!;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return { name, width: context.measureText(name).width, room };
      });
      expect(fit.width, `"${fit.name}" is ${fit.width}px in ${fit.room}px`).toBeLessThanOrEqual(fit.room);

      await picker(page).selectOption(RETIRED);
      await expect.poll(() => note(page).textContent()).toContain('reached end of life on Amazon Bedrock');
      await page.screenshot({ path: join(ARTIFACTS, 'picker-phone.png'), fullPage: true });
    } finally {
      await page.context().close();
    }
  }, 20_000);

  it("downscales in the browser to the chosen model's long edge and sends the image to that model", async () => {
    const page = await openPhone();
    try {
      const nova = await describeWith(page, NOVA, 'Nova saw a photo.');
      expect(await note(page).textContent()).toContain('Input $0.06 · output $0.24 · cache read $0.015 per million tokens.');
      expect(nova.request.modelId).toBe(NOVA);
      expect(nova.request.operation).toBe('converse-stream');
      const novaEdge = entry(NOVA).images.longEdge;
      expect(nova.sent).toEqual({ width: novaEdge, height: Math.round((2000 * novaEdge) / 3000), format: 'jpeg' });
      expect(nova.upstream).toEqual(nova.sent);

      const haiku = await describeWith(page, HAIKU, 'Haiku saw a photo.');
      expect(haiku.request.modelId).toBe(HAIKU);
      expect(haiku.request.operation).toBe('invoke-with-response-stream');
      const haikuEdge = entry(HAIKU).images.longEdge;
      expect(haiku.sent).toEqual({ width: haikuEdge, height: Math.round((2000 * haikuEdge) / 3000), format: 'jpeg' });
      expect(haiku.upstream).toEqual(haiku.sent);
    } finally {
      await page.context().close();
    }
  }, 20_000);

  it('changes the size sent when the chosen model has another long edge', async () => {
    // Every catalogue model reads 1568 px today, so the Models answer the page gets is the
    // server's own with one model's long edge lowered: the rest (downscale, upload, gateway,
    // upstream) is real, and shows the browser applies the chosen model's number, not a constant.
    const SMALL_EDGE = 1000;
    const context = await browser.newContext(PHONE);
    const graphql = (url: URL) => url.pathname === '/graphql';
    await context.route(graphql, async (route) => {
      // urql sends queries as GET when the URL is short enough, else as POST.
      const request = route.request();
      if (!`${request.url()} ${request.postData() ?? ''}`.includes('Models')) return route.fallback();
      const response = await route.fetch();
      const body = (await response.json()) as { data: { models: { id: string; recommendedLongEdge: number }[] } };
      for (const model of body.data.models) if (model.id === NOVA) model.recommendedLongEdge = SMALL_EDGE;
      await route.fulfill({ response, json: body });
    });
    const page = await context.newPage();
    try {
      await page.goto(gateway.url);
      await expect.poll(() => page.locator('.ask-card select option').count()).toBeGreaterThan(1);
      // Routed requests lose their Content-Length, which uploadedJpegSize checks.
      await context.unroute(graphql);
      const nova = await describeWith(page, NOVA, 'Nova saw a smaller photo.');
      expect(await note(page).textContent()).toContain(`sent at up to ${SMALL_EDGE} px on the long edge`);
      expect(nova.sent).toEqual({ width: SMALL_EDGE, height: Math.round((2000 * SMALL_EDGE) / 3000), format: 'jpeg' });
      expect(nova.upstream).toEqual(nova.sent);

      const haiku = await describeWith(page, HAIKU, 'Haiku saw a larger photo.');
      const haikuEdge = entry(HAIKU).images.longEdge;
      expect(haiku.sent).toEqual({ width: haikuEdge, height: Math.round((2000 * haikuEdge) / 3000), format: 'jpeg' });
    } finally {
      await context.close();
    }
  }, 20_000);
});
