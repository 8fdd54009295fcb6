// Following a file that another program (Debian's h5py, real libhdf5) writes
// in SWMR mode: the CLI opens it without "already open for write", marks it,
// refuses runs on it, `tree --follow` prints shape changes until the writer
// closes it, and reading it again a thousand times leaks nothing in the I/O thread.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IoThread } from '../src/main/io/ioThread';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { startSwmrWriter, type SwmrWriter } from './support/swmrWriter';
const started: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => removeTempFolders());

async function startWriter(file: string, rowsPerStep: number, intervalS: number, steps = 0): Promise<SwmrWriter> {
  const writer = await startSwmrWriter(file, rowsPerStep, intervalS, steps);
  started.push(writer.child);
  return writer;
}

describe('a file an h5py SWMR writer is appending to', () => {
  it('tree opens it as a SWMR reader and marks it; a run on it is refused in one line, a run on another file is not', async () => {
    const folder = makeTempFolder('swmr-open');
    const file = join(folder, 'growing.h5');
    const writer = await startWriter(file, 10, 0.1);

    const tree = await runCli(['tree', file]);
    expect(tree.stderr).toBe('');
    expect(tree.status).toBe(0);
    expect(tree.stdout).toContain('being written (SWMR)');
    expect(tree.stdout).toMatch(/data {2}\d+ × 2, <f8/);
    const json = JSON.parse((await runCli(['tree', file, '--json'])).stdout) as { beingWritten?: boolean };
    expect(json.beingWritten).toBe(true);

    const run = await runCli(['run', file, '--dataset', '/data']);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/growing\.h5: \/data: another program is writing this file in SWMR mode (\([^)]*\))?; HDF5 allows one writer at a time/);

    const other = copyCorpus('coords_1k.h5', folder);
    const unaffected = await runCli(['run', other, '--dataset', '/coords', '--strategy', 'inline']);
    expect(unaffected.stderr).toBe('');
    expect(unaffected.status).toBe(0);

    await writer.stop();
    const after = await runCli(['tree', file]);
    expect(after.status).toBe(0);
    expect(after.stdout).not.toContain('being written');
  }, 120_000);

  it('tree --follow prints a line per shape change, then ends by itself when the writer closes the file', async () => {
    const folder = makeTempFolder('swmr-follow');
    const file = join(folder, 'growing.h5');
    const writer = await startWriter(file, 5, 0.3);
    const follow = spawn(process.execPath, [cliScript, 'tree', file, '--follow'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    follow.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    follow.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => follow.on('exit', (code) => resolve(code)));
    const changeLines = () => lines(stdout).filter((line) => line.startsWith('/data: '));
    const deadline = Date.now() + 60_000;
    while (changeLines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await writer.stop();
    const status = await exited;

    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('being written (SWMR)');
    const changes = changeLines();
    expect(changes.length).toBeGreaterThanOrEqual(2);
    for (const line of changes) expect(line).toMatch(/^\/data: \d+ × 2 -> \d+ × 2$/);
    // Each change starts where the one before ended, and the last is the shape the writer closed the file with.
    const pairs = changes.map((line) => line.match(/(\d+) × 2 -> (\d+) × 2/)!.slice(1).map(Number));
    for (let i = 1; i < pairs.length; i++) expect(pairs[i][0]).toBe(pairs[i - 1][1]);
    const final = JSON.parse((await runCli(['tree', file, '--json'])).stdout) as { root: { children: { shape: number[] }[] } };
    expect(pairs.at(-1)![1]).toBe(final.root.children[0].shape[0]);
    expect(lines(stdout).at(-1)).toBe('growing.h5: the writer closed the file');
  }, 120_000);

  it('tree --follow stops on Ctrl-C', async () => {
    const folder = makeTempFolder('swmr-follow-int');
    const file = join(folder, 'growing.h5');
    const writer = await startWriter(file, 5, 0.2);
    const follow = spawn(process.execPath, [cliScript, 'tree', file, '--follow'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    follow.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = new Promise<number | null>((resolve) => follow.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/\/data: \d+ × 2 -> /.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    follow.kill('SIGINT');
    expect(await exited).toBe(0);
    await writer.stop();
  }, 120_000);

  it('a thousand fresh looks at the growing file grow neither the I/O thread\'s wasm memory nor its open files', async () => {
    const folder = makeTempFolder('swmr-leak');
    const file = join(folder, 'growing.h5');
    const writer = await startWriter(file, 1, 0.005);
    const io = new IoThread();
    try {
      let rows = 0;
      const look = async () => {
        const entity = await io.call({ kind: 'entity', file, path: '/data' });
        const shape = (entity as { shape: number[] }).shape;
        expect(shape[0]).toBeGreaterThanOrEqual(rows);
        rows = shape[0];
      };
      for (let i = 0; i < 100; i++) await look();
      const before = await io.call({ kind: 'resources', file });
      const rowsBefore = rows;
      for (let i = 0; i < 1000; i++) await look();
      const after = await io.call({ kind: 'resources', file });
      // The looks saw the writer's rows (the file was read again, not a cached view)…
      expect(rows).toBeGreaterThan(rowsBefore);
      // …and every reopened file was closed: HDF5 keeps a file open while any id in it is.
      expect(after.openDescriptors).toBe(before.openDescriptors);
      expect(after.openDescriptors).toBeLessThanOrEqual(1);
      // wasm memory only grows; a leak of a dataset id and its caches per look would add megabytes.
      expect(after.wasmBytes).toBeLessThanOrEqual(before.wasmBytes + 2 * 1024 * 1024);
    } finally {
      await io.terminate();
      await writer.stop();
    }
  }, 300_000);
});
