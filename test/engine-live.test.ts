// run --live: h5blocks as the file's SWMR writer, checked by real libhdf5
// (Debian's h5py in child processes): a SWMR reader polling while the run
// writes sees the rows fill in, the final values are a normal run's bit for
// bit, older formats are upgraded only when asked, and kill -9 at random
// moments of the live phase leaves the input intact, the output complete or
// removed, and a file h5py opens without h5clear once h5blocks has looked at it.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli } from './support/cli';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { cliScript, projectRoot, systemPython } from './support/paths';

const readerScript = join(projectRoot, 'test/support/swmr_reader.py');
const ROWS = 1_000_000;
const BLOCK_ROWS = 10_000;
/** Smaller blocks for the kill campaign: more flushes make a live phase long enough for kills to land inside it on a fast machine. */
const KILL_BLOCK_ROWS = 2_000;
let folder: string;
let input: string;

afterAll(() => removeTempFolders());

/** An N×2 float32 /coords in HDF5 1.10's format (superblock version 3), as an acquisition program would write it. */
function makeInput(path: string, rows: number): void {
  execFileSync(systemPython, ['-c', `
import h5py, numpy as np, sys
rng = np.random.default_rng(7)
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    f.create_dataset('coords', data=rng.random((int(sys.argv[2]), 2), dtype=np.float32) * 100, chunks=(65536, 2))
`, path, String(rows)]);
}

/** What h5py (plain read-only open, no SWMR, no h5clear) finds: the input's and the output's values as hex of their bytes' SHA-256, and the completion mark. */
function inspect(path: string): { input: string; output: string | null; complete: number | null; rows: number | null } {
  const text = execFileSync(systemPython, ['-c', `
import h5py, hashlib, json, sys
with h5py.File(sys.argv[1], 'r') as f:
    out = f.get('distances')
    print(json.dumps({
        'input': hashlib.sha256(f['coords'][()].tobytes()).hexdigest(),
        'output': None if out is None else hashlib.sha256(out[()].tobytes()).hexdigest(),
        'complete': None if out is None else int(out.attrs.get('h5blocks_complete', 0)),
        'rows': None if out is None else out.shape[0],
    }))
`, path], { encoding: 'utf8' });
  return JSON.parse(text) as ReturnType<typeof inspect>;
}

function superblock(path: string): { version: number; flags: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    return { version: head[8], flags: head[8] >= 2 ? head[11] : 0 };
  } finally {
    closeSync(fd);
  }
}

function sidecars(path: string): string[] {
  return readdirSync(dirname(path)).filter((entry) => entry.startsWith(`.${basename(path)}.h5blocks`));
}

interface RunJson { outputSha256: string; blocks: { phases: { phase: string; start: number; end: number }[] }[] }

beforeAll(() => {
  folder = makeTempFolder('live');
  input = join(folder, 'source.h5');
  makeInput(input, ROWS);
});

describe('run --live', () => {
  let reference: { sha: string; values: string };

  it('an h5py SWMR reader sees the rows fill in; the values are a normal run\'s bit for bit; the file is closed cleanly', async () => {
    const normal = copyFile(input, folder, 'normal.h5');
    const normalRun = await runCli(['run', normal, '--dataset', '/coords', '--strategy', 'pool', '--json']);
    expect(normalRun.stderr).toBe('');
    reference = { sha: (JSON.parse(normalRun.stdout) as RunJson).outputSha256, values: inspect(normal).output! };

    for (const strategy of ['inline', 'pool']) {
      const file = copyFile(input, folder, `live-${strategy}.h5`);
      const reader = spawn(systemPython, [readerScript, file, 'distances', String(ROWS), '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let seen = '';
      reader.stdout.setEncoding('utf8').on('data', (text: string) => (seen += text));
      const readerDone = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
      const run = await runCli(['run', file, '--dataset', '/coords', '--strategy', strategy, '--block-rows', String(BLOCK_ROWS), '--live', '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      await readerDone;
      const counts = JSON.parse(seen) as number[];
      // The reader saw the output grow in at least three distinct steps, never shrinking, up to every row.
      expect(new Set(counts.filter((n) => n > 0 && n < ROWS)).size).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
      expect(counts.at(-1)).toBe(ROWS);

      const result = JSON.parse(run.stdout) as RunJson;
      expect(result.outputSha256).toBe(reference.sha);
      // Each block's flush is a phase of its own in the timeline.
      for (const block of result.blocks) expect(block.phases.map((p) => p.phase)).toContain('flush');
      const after = inspect(file);
      expect(after.output).toBe(reference.values);
      expect(after.complete).toBe(1);
      expect(superblock(file)).toEqual({ version: 3, flags: 0 });
      expect(sidecars(file)).toEqual([]);
    }
  }, 300_000);

  it('a file in an older format is refused with what upgrading means, and upgraded with --upgrade-format', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'old.h5');
    expect(superblock(file).version).toBe(0);
    const before = sha256File(file);
    const refused = await runCli(['run', file, '--dataset', '/coords', '--live']);
    expect(refused.status).not.toBe(0);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/old\.h5: a live run needs HDF5 1\.10's file format \(superblock version 3\) and this file has version 0/);
    expect(refused.stderr).toContain('HDF5 1.8 tools can no longer open the file');
    expect(refused.stderr).toContain('--upgrade-format');
    expect(sha256File(file)).toBe(before);

    const normal = copyCorpus('coords_1k.h5', folder, 'old-normal.h5');
    const normalRun = JSON.parse((await runCli(['run', normal, '--dataset', '/coords', '--json'])).stdout) as RunJson;
    const upgraded = await runCli(['run', file, '--dataset', '/coords', '--live', '--upgrade-format', '--block-rows', '100', '--json']);
    expect(upgraded.stderr).toBe('');
    expect(upgraded.status).toBe(0);
    expect((JSON.parse(upgraded.stdout) as RunJson).outputSha256).toBe(normalRun.outputSha256);
    expect(superblock(file)).toEqual({ version: 3, flags: 0 });
    const after = inspect(file);
    expect(after.output).toBe(inspect(normal).output);
    expect(after.input).toBe(inspect(normal).input);
    expect(execFileSync('h5dump', ['-H', file], { encoding: 'utf8' })).toContain('DATASET "distances"');
  }, 120_000);

  it('is refused in one line for strategies that do not write blocks themselves', async () => {
    const file = copyFile(input, folder, 'shard.h5');
    const run = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'shard', '--live']);
    expect(run.status).not.toBe(0);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('use --strategy inline or pool with --live');
  }, 60_000);

  it('kill -9 at random moments of the live phase: input intact, output complete or removed, flags cleared by the next command (20 trials)', async () => {
    const inputValues = inspect(input).input;
    const trials = 20;
    let killedWhileWriting = 0;
    for (let trial = 0; trial < trials; trial++) {
      const file = copyFile(input, folder, `kill-${trial}.h5`);
      const child = spawn(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--strategy', trial % 2 === 0 ? 'inline' : 'pool', '--block-rows', String(KILL_BLOCK_ROWS), '--live'], {
        cwd: projectRoot, stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      let done = false;
      void exited.then(() => (done = true));
      // Wait for the live phase (the SWMR flags set), then a random share of it.
      const deadline = Date.now() + 60_000;
      while (!done && superblock(file).flags === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 1500));
      child.kill('SIGKILL');
      await exited;
      const flagsLeft = superblock(file).flags;
      if (flagsLeft !== 0) killedWhileWriting++;

      const tree = await runCli(['tree', file]);
      expect(tree.status).toBe(0);
      const notes = lines(tree.stderr);
      expect(notes.length).toBeLessThanOrEqual(1);
      if (flagsLeft !== 0) expect(notes[0]).toMatch(/an h5blocks live run on this file was interrupted; cleared the SWMR status flags it left set/);
      expect(superblock(file).flags).toBe(0);
      expect(sidecars(file)).toEqual([]);
      const after = inspect(file);
      expect(after.input).toBe(inputValues);
      if (after.output !== null) {
        expect(after.complete).toBe(1);
        expect(after.output).toBe(reference.values);
      }
    }
    // The campaign really hit the live phase, not only the start or the end.
    expect(killedWhileWriting).toBeGreaterThanOrEqual(5);
  }, 900_000);
});
