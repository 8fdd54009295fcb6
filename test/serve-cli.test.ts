// `h5blocks serve` as a user starts it: the built CLI in its own process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from './support/cli';
import { cliScript, projectRoot } from './support/paths';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

interface Started {
  child: ChildProcessWithoutNullStreams;
  firstLine: Promise<string>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcessWithoutNullStreams[] = [];

function startServe(args: string[], userData: string): Started {
  const child = spawn(process.execPath, [cliScript, 'serve', ...args], {
    cwd: projectRoot, env: { ...process.env, H5BLOCKS_USER_DATA: userData }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let gotLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (gotLine = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('\n')) gotLine(stdout.split('\n')[0]);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, firstLine, stdout: () => stdout, stderr: () => stderr, exit };
}

async function call(url: string, method: string, args: unknown[]): Promise<{ result?: unknown; error?: unknown }> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<{ result?: unknown; error?: unknown }>((resolve) => socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id === 1) resolve(message);
  }));
  socket.send(JSON.stringify({ id: 1, method, args }));
  const answer = await reply;
  socket.close();
  return answer;
}

afterAll(() => {
  // A failed assertion must not leave a server running.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  removeTempFolders();
});

describe('h5blocks serve (command line)', () => {
  it('prints the token URL first, opens the given files, and stops cleanly on SIGTERM and SIGINT', async () => {
    const folder = makeTempFolder('serve-cli');
    const file = copyCorpus('coords_1k.h5', folder);
    const broken = copyCorpus('not_hdf5.h5', folder);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const started = startServe([file, broken], makeTempFolder('serve-cli-userdata'));
      const url = await started.firstLine;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect((await fetch(url.replace(/\?token=.*/, ''))).status).toBe(403);

      const { port, searchParams } = new URL(url);
      const files = await call(`ws://127.0.0.1:${port}/api?token=${searchParams.get('token')}`, 'listFiles', []);
      expect(files.result).toEqual([expect.objectContaining({ path: file, name: 'coords_1k.h5' })]);
      // The file that is not HDF5 was reported in one line, and the server went on.
      await expect.poll(() => started.stderr()).toMatch(/not_hdf5\.h5.*not/);
      expect(started.stderr().trim().split('\n')).toHaveLength(1);

      started.child.kill(signal);
      expect(await started.exit).toEqual({ code: 0, signal: null });
      await expect(fetch(url)).rejects.toThrow();
    }
  });

  it('refuses a root that does not exist, in one line', async () => {
    const result = await runCli(['serve', '--root', join(makeTempFolder('serve-cli-root'), 'missing')], { env: { H5BLOCKS_USER_DATA: makeTempFolder('serve-cli-userdata') } });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/missing: no such folder/);
  });
});
