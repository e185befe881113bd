import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

const INSTALL_HINT =
  'The web e2e tests need a Chromium: install Debian\'s with `apt-get update && apt-get install -y chromium`, ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome binary. (playwright-core never downloads browsers here.)';

/** The system Chromium: CHROMIUM_PATH when set, else the usual Debian/Ubuntu paths. Throws, never skips. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist. ${INSTALL_HINT}`);
    return env.CHROMIUM_PATH;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error(`No Chromium found (looked at ${CANDIDATES.join(', ')}). ${INSTALL_HINT}`);
  return found;
}

/**
 * Headless Chromium whose camera is a fake device playing `videoFile`, with the
 * permission prompt auto-accepted, and nothing that reaches the network by itself.
 */
export async function launchChromium(videoFile: string): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${videoFile}`,
    ],
  });
}
