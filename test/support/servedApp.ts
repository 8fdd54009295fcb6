// `h5blocks serve` on some files and Debian's Chromium on its page, for the
// browser end-to-end tests. Chromium runs headless with SwiftShader's WebGL 2,
// which h5web's plots need.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTempFolder } from './files';
import { cliScript, projectRoot } from './paths';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];
export const ARTIFACTS = join(projectRoot, 'test-artifacts');

export interface ServedApp {
  url: string;
  page: Page;
  browser: Browser;
  server: ChildProcess;
  pageErrors: string[];
  close(): Promise<void>;
}

/** Starts `h5blocks serve` on some files and waits for the URL it prints first. */
export async function startServe(args: string[], userData: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [cliScript, 'serve', ...args], {
    cwd: projectRoot, env: { ...process.env, H5BLOCKS_USER_DATA: userData }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`h5blocks serve exited with ${code}: ${stderr}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no URL from h5blocks serve in 30 s: ${stderr}`)), 30_000));
  return { server, url: await Promise.race([firstLine, timeout]) };
}

export async function startServedApp(files: string[], options: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; args?: string[]; chromiumArgs?: string[] } = {}): Promise<ServedApp> {
  if (!existsSync(join(projectRoot, 'out/renderer/index.html'))) throw new Error('the renderer is not built: run `npm run build` first');
  mkdirSync(ARTIFACTS, { recursive: true });
  const { server, url } = await startServe([...files, ...(options.args ?? [])], makeTempFolder('served-user-data'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])] });
  const context = await browser.newContext({
    acceptDownloads: true, viewport: { width: options.width ?? 1440, height: options.height ?? 900 }, colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  return {
    url, page, browser, server, pageErrors,
    async close() {
      await browser.close();
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Every tree row of an object, by its path. */
export function treeNode(page: Page, path: string) {
  return page.locator(`[data-testid="tree-node"][data-path="${path}"]`);
}

export async function openFileInSidebar(page: Page, name: string): Promise<void> {
  await page.getByTestId('open-files').getByRole('button', { name: new RegExp(`^${name.replace(/\./g, '\\.')}`) }).click();
}

/**
 * What a canvas inside `selector` shows, from a screenshot of it (a WebGL
 * canvas keeps its drawing buffer only until the frame is shown, so reading it
 * back directly gives nothing): how many distinct colours, and a hash that
 * changes when the picture does. null when there is no canvas on screen.
 */
export async function canvasSignature(page: Page, selector: string): Promise<{ distinct: number; hash: string } | null> {
  const canvas = page.locator(`${selector} canvas`).first();
  if ((await canvas.count()) === 0 || !(await canvas.isVisible())) return null;
  const png = (await canvas.screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const copy = document.createElement('canvas');
    copy.width = image.width;
    copy.height = image.height;
    const context = copy.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
    const colours = new Set<number>();
    let hash = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const colour = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
      colours.add(colour);
      hash = (Math.imul(hash, 31) + colour) >>> 0;
    }
    return { distinct: colours.size, hash: hash.toString(16) };
  }, png);
}
