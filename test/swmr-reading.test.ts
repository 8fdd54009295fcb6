// Files a SWMR writer is appending to (Debian's h5py in a child process, as an
// acquisition program would): read with SWMR read access, marked in the
// explorer, followed by `h5blocks tree --follow`, and refused for runs. Needs
// `npx electron-vite build` (the CLI).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { runCli } from './support/cli';
import { makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { contentsOf, h5pyOpens } from './support/h5py';
import { cliScript, projectRoot, systemPython } from './support/paths';

// A SWMR writer: makes /coords (100 × 2, unlimited rows), starts SWMR mode, then
// appends 100 rows per "grow" line, flushing each time, until "close".
const WRITER = `
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'w', libver='latest')
d = f.create_dataset('coords', data=np.arange(200, dtype='f4').reshape(100, 2), maxshape=(None, 2), chunks=(50, 2))
f.swmr_mode = True
print('ready', flush=True)
for line in sys.stdin:
    if line.strip() == 'grow':
        n = d.shape[0]
        d.resize((n + 100, 2))
        d[n:] = np.arange(n * 2, (n + 100) * 2, dtype='f4').reshape(100, 2)
        d.flush()
        print('grown', flush=True)
    else:
        f.close()
        print('closed', flush=True)
        break
`;

interface Writer {
  grow(): Promise<void>;
  close(): Promise<void>;
  kill(): void;
}

let folder: string;
const writers: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  folder = makeTempFolder('swmr-reading');
});

afterEach(() => {
  for (const child of writers.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => removeTempFolders());

async function swmrWriter(file: string): Promise<Writer> {
  const child = spawn(systemPython, ['-c', WRITER, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  writers.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const expectLine = async (want: string) => {
    const got = await lines.next();
    if (got.value !== want) throw new Error(`the SWMR writer said ${String(got.value)} instead of ${want}: ${stderr}`);
  };
  await expectLine('ready');
  return {
    async grow() {
      child.stdin.write('grow\n');
      await expectLine('grown');
    },
    async close() {
      child.stdin.write('close\n');
      await expectLine('closed');
    },
    kill: () => child.kill('SIGKILL'),
  };
}

describe('a file a SWMR writer is appending to', () => {
  it('h5blocks tree reads it as it is now (SWMR read access), with no "already open for write" error', async () => {
    const file = `${folder}/acquiring.h5`;
    const writer = await swmrWriter(file);
    await writer.grow();
    const tree = await runCli(['tree', file]);
    expect(tree.stderr).toBe('');
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(/coords\s+200 × 2/);
    await writer.grow();
    expect((await runCli(['tree', file])).stdout).toMatch(/coords\s+300 × 2/);
    await writer.close();
  }, 60_000);

  it('tree --follow prints a line each time the dataset grows, and ends when the writer closes the file', async () => {
    const file = `${folder}/followed.h5`;
    const writer = await swmrWriter(file);
    const follow = spawn(process.execPath, [cliScript, 'tree', file, '--follow'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    follow.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    follow.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/coords\s+100 × 2/);
      await writer.grow();
      await expect.poll(() => out, { timeout: 15_000 }).toContain('/coords  100 × 2 → 200 × 2');
      await writer.grow();
      await writer.grow();
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/\/coords {2}\d+ × 2 → 400 × 2/);
      await writer.close();
      expect(await exited).toBe(0);
      expect(err).toBe('');
      expect(out.trim().split('\n').at(-1)).toBe('followed.h5: the writer closed the file');
    } finally {
      if (follow.exitCode === null) follow.kill('SIGKILL');
    }
  }, 90_000);

  it('a run on it is refused in one line (one writer at a time); the writer goes on and its rows are intact; a run on another file is unaffected', async () => {
    const file = `${folder}/busy.h5`;
    const writer = await swmrWriter(file);
    await writer.grow();
    const before = sha256File(file);
    const result = await runCli(['run', file, '--dataset', '/coords']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^h5blocks: busy\.h5: marked open for SWMR writing .* by another HDF5 program; /);
    expect(sha256File(file)).toBe(before);
    await writer.grow();
    await writer.close();
    const after = await contentsOf(file);
    expect(after.names).toEqual(['coords']);
    expect((await h5pyOpens(file, 'r')).ok).toBe(true);
    const other = `${folder}/other.h5`;
    const otherWriter = await swmrWriter(other);
    await otherWriter.close();
    const elsewhere = await runCli(['run', other, '--dataset', '/coords']);
    expect(elsewhere.status).toBe(0);
    expect((await contentsOf(other)).distancesCorrect).toBe(true);
  }, 60_000);

  it('the explorer marks it "being written (SWMR)" and drops the mark once the writer closes it', async () => {
    const file = `${folder}/marked.h5`;
    const writer = await swmrWriter(file);
    const service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('swmr-user') });
    try {
      const opened = await service.openPath(file);
      expect(opened.beingWritten).toBe('swmr');
      expect(await service.getEntity(opened.id, '/coords')).toMatchObject({ shape: [100, 2] });
      await writer.grow();
      await expect.poll(async () => ((await service.getEntity(opened.id, '/coords')) as { shape: number[] }).shape, { timeout: 10_000 }).toEqual([200, 2]);
      await writer.close();
      await expect.poll(async () => (await service.listFiles()).find((f) => f.id === opened.id)?.beingWritten, { timeout: 10_000 }).toBeUndefined();
    } finally {
      await service.dispose();
    }
  }, 60_000);
});
