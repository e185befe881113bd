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

/** What the launched Chromium pretends to have. */
export interface ChromiumOptions {
  /**
   * A y4m file the fake camera plays instead of Chromium's moving test pattern.
   * @default none (the test pattern)
   */
  videoFile?: string;
  /**
   * How many fake cameras enumerateDevices() lists, labelled fake_device_0, fake_device_1, ...
   * Chromium reads this as `device-count` only in its pattern factory: with a video file it uses
   * the file factory, which always has exactly one device, so the two cannot be combined.
   * https://source.chromium.org/chromium/chromium/src/+/main:media/capture/video/create_video_capture_device_factory.cc
   * @default 1
   */
  cameras?: number;
  /**
   * Host names Chromium resolves to 127.0.0.1 without asking DNS. Unlike localhost, such a name
   * is not "potentially trustworthy", so a page served over http:// from it is not a secure context.
   * @default []
   */
  loopbackHosts?: string[];
}

/**
 * Headless Chromium with fake cameras and the permission prompt auto-accepted,
 * and nothing that reaches the network by itself.
 */
export async function launchChromium({ videoFile, cameras = 1, loopbackHosts = [] }: ChromiumOptions = {}): Promise<Browser> {
  if (videoFile && cameras !== 1) throw new Error('Chromium\'s file-backed fake camera is always a single device.');
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
      `--use-fake-device-for-media-stream=device-count=${cameras}`,
      '--use-fake-ui-for-media-stream',
      ...(videoFile ? [`--use-file-for-fake-video-capture=${videoFile}`] : []),
      ...(loopbackHosts.length > 0 ? [`--host-resolver-rules=${loopbackHosts.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`] : []),
    ],
  });
}
