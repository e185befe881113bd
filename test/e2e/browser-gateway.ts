import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { launchChromium, type ChromiumOptions } from './chromium.js';
import { writeCameraY4m } from './fixtures.js';

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

export interface BrowserGatewayOptions {
  /** Environment for the gateway, as main.ts would read it. @default {} */
  gatewayEnv?: Record<string, string>;
  /** Extra setup (web build, fixtures) run before the gateway starts; its failures fail every test too. */
  prepare?: (workDir: string) => void | Promise<void>;
  /** Host names the browser resolves to the gateway's loopback address. @default [] */
  loopbackHosts?: ChromiumOptions['loopbackHosts'];
}

/** What the file's tests use; filled in by beforeAll. */
export interface BrowserGateway {
  gateway: Gateway;
  /** Headless Chromium whose fake camera plays `${workDir}/camera.y4m`. */
  browser: Browser;
  /** A temporary folder for the file's fixtures, removed in afterAll. */
  workDir: string;
}

/**
 * Registers the hooks that give a test file one gateway and one Chromium for all its tests,
 * and tears both down afterwards. Call at the top level of the test file.
 */
export function useBrowserGateway({ gatewayEnv = {}, prepare, loopbackHosts }: BrowserGatewayOptions = {}): BrowserGateway {
  const setup = {} as BrowserGateway;
  let setupError: unknown;

  beforeAll(async () => {
    try {
      setup.workDir = await mkdtemp(join(tmpdir(), 'browser-e2e-'));
      const cameraFile = join(setup.workDir, 'camera.y4m');
      await writeCameraY4m(cameraFile);
      await prepare?.(setup.workDir);
      setup.gateway = await startGateway(gatewayEnv);
      setup.browser = await launchChromium({ videoFile: cameraFile, loopbackHosts });
    } catch (error) {
      setupError = error;
    }
  }, 60_000);

  // Every test fails with the setup's reason (e.g. how to install Chromium) rather than being skipped.
  beforeEach(() => {
    if (setupError) throw setupError;
  });

  afterAll(async () => {
    await setup.browser?.close();
    await setup.gateway?.stop();
    if (setup.workDir) await rm(setup.workDir, { recursive: true, force: true });
  });

  return setup;
}
