// `h5blocks serve` in a real browser: the page's CSP lets it reach its own API, and other sites cannot.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/main/server/serve';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Runs in the page: one API call over a WebSocket, as the page's own transport makes it. */
async function callFromPage(url: string): Promise<{ opened: boolean; reply?: { id: number; result?: { host?: string } } }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(JSON.stringify({ id: 1, method: 'appInfo', args: [] }));
    socket.onmessage = (event) => {
      resolve({ opened: true, reply: JSON.parse(String(event.data)) });
      socket.close();
    };
    socket.onerror = () => resolve({ opened: false });
  });
}

describe('h5blocks serve in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let foreignSite: Server;
  let foreignPort: number;

  beforeAll(async () => {
    const folder = makeTempFolder('serve-browser');
    copyCorpus('coords_1k.h5', folder);
    server = await startServer({ files: [join(folder, 'coords_1k.h5')], port: 0, userDataDir: makeTempFolder('serve-browser-userdata') });
    foreignSite = createServer((_req, res) => res.end('<!doctype html><title>another site</title>'));
    foreignPort = await new Promise<number>((resolve) => foreignSite.listen(0, '127.0.0.1', () => resolve((foreignSite.address() as { port: number }).port)));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    foreignSite?.close();
    await server?.close();
    await closeWorkerPools();
    removeTempFolders();
  });

  it('loads the page with the token and reaches the API from it under the page\'s CSP', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    // The app's own page connects by itself, through the renderer's WebSocket transport.
    const pageSocket = page.waitForEvent('websocket');
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    const socket = await pageSocket;
    expect(socket.url()).toBe(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const answer = await socket.waitForEvent('framereceived', { predicate: (frame) => 'id' in JSON.parse(String(frame.payload)) });
    expect(JSON.parse(String(answer.payload))).toHaveProperty('result');
    const apiUrl = await page.evaluate(() => `ws://${location.host}/api${location.search}`);
    const outcome = await page.evaluate(callFromPage, apiUrl);
    expect(outcome).toMatchObject({ opened: true, reply: { id: 1, result: { host: 'serve' } } });
    // The cookie set with the page lets the page's own socket in even without the token in the URL.
    const byCookie = await page.evaluate(callFromPage, apiUrl.replace(/\?.*$/, ''));
    expect(byCookie.opened).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('keeps other sites out, even when they know the token', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${foreignPort}/`);
    const outcome = await page.evaluate(callFromPage, `ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    expect(outcome.opened).toBe(false);
    await page.close();
  });

  it('refuses a page opened without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${server.port}/`);
    expect(response?.status()).toBe(403);
    await page.close();
  });
});
