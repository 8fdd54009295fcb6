// `npm start` where Electron cannot open a window: one clear line, then the browser fallback.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { projectRoot } from './support/paths';

const startScript = join(projectRoot, 'scripts/start.mjs');

function startApp(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [startScript, ...args], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

afterAll(() => removeTempFolders());

describe('npm start without a usable Electron', () => {
  it('says why in one line, serves a copy of the sample, prints the URL, and stops on Ctrl+C', async () => {
    const userData = makeTempFolder('start-userdata');
    const resource = join(projectRoot, 'resources/sample/coords_1k.h5');
    const before = sha256File(resource);
    // No display: Electron cannot open a window here even where its binary exists.
    const app = startApp([], { DISPLAY: '', WAYLAND_DISPLAY: '', H5BLOCKS_USER_DATA: userData });
    try {
      await expect.poll(() => /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m.exec(app.stdout())?.[0], { timeout: 60_000, interval: 200 }).toBeDefined();
      const lines = app.stdout().split('\n');
      const notice = lines.filter((line) => line.includes('Electron could not be started here'));
      expect(notice).toHaveLength(1);
      expect(notice[0]).toMatch(/^h5blocks: Electron could not be started here: .+\. Serving the app for a browser instead\.$/);
      const url = lines.find((line) => line.startsWith('http://127.0.0.1:'))!;
      expect((await fetch(url)).status).toBe(200);
      const copy = join(userData, 'samples', 'coords_1k.h5');
      expect(existsSync(copy)).toBe(true);
      expect(app.stdout()).toContain(`opened ${copy}`);
      app.child.kill('SIGINT');
      expect(await app.exit).toBe(0);
      expect(app.stderr()).not.toMatch(/\n\s+at /);
      expect(sha256File(resource)).toBe(before);
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });

  it('refuses a file that does not exist in one line, without a stack trace', async () => {
    const app = startApp(['--', join(makeTempFolder('start-missing'), 'missing.h5')], { H5BLOCKS_USER_DATA: makeTempFolder('start-userdata') });
    expect(await app.exit).toBe(1);
    expect(app.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^h5blocks: .*missing\.h5: no such file$/)]);
  });
});
