// `h5blocks bench` end to end, through the built CLI as a user runs it, at tiny sizes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/main/bench/report';

const cli = fileURLToPath(new URL('../bin/h5blocks.js', import.meta.url));
const TINY = ['--rows', '20000', '--baseline-rows', '5000', '--pairs', '1'];
const STRATEGIES = ['inline', 'pool', 'shard'];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [cli, 'bench', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('h5blocks bench', () => {
  // The bench keeps its inputs under the system temp folder; a private one shows whether it cleans up.
  let tempRoot: string;
  beforeEach(() => {
    tempRoot = mkdtempSync(join(tmpdir(), 'bench-test-'));
  });
  afterEach(() => rmSync(tempRoot, { recursive: true, force: true }));

  it('times every strategy, agrees on every output and prints clean JSON', async () => {
    const run = await finished(start([...TINY, '--only', 'contiguous', 'chunked', 'recipes', 'file-size', 'stall', '--json'], { TMPDIR: tempRoot }));
    expect(run.stderr).not.toMatch(/^h5blocks:/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(run.stderr).toMatch(/^bench: /m);

    for (const input of ['contiguous', 'chunked']) {
      const ours = report.rows.filter((r) => r.input === input && r.engine === 'h5blocks');
      for (const strategy of STRATEGIES) expect(ours.some((r) => r.strategy === strategy), `${strategy} on ${input}`).toBe(true);
      for (const strategy of ['pool', 'shard']) {
        expect(new Set(ours.filter((r) => r.strategy === strategy).map((r) => r.workers))).toEqual(new Set([1, 2, 4]));
      }
      for (const row of ours) {
        expect(row.rows).toBe(20000);
        expect(row.wallSeconds).toBeGreaterThan(0);
      }
    }
    expect(report.agreement.length).toBe(report.inputs.length);
    for (const agreement of report.agreement) {
      expect(agreement.agreed, JSON.stringify(agreement.digests)).toBe(true);
      expect(agreement.digests).toHaveLength(1);
    }
    expect(report.verdicts.map((v) => v.input)).toEqual(['contiguous', 'chunked']);
    // The main thread's event loop is measured during runs on the I/O thread.
    expect(report.stalls.map((s) => s.strategy)).toEqual(['inline', 'pool']);
    for (const stall of report.stalls) expect(stall.maxStallMs).toBeGreaterThan(0);

    if (report.environment.python) {
      // h5py wrote the same float32 values, bit for bit, as every h5blocks strategy.
      const contiguous = report.agreement.find((a) => a.input === 'contiguous');
      expect(contiguous?.digests[0].configurations.some((c) => c.startsWith('h5py serial'))).toBe(true);
      expect(report.inputs.find((i) => i.id === 'chunked')?.filters).toEqual(['shuffle', 'gzip']);
      for (const recipe of ['pool', 'shard']) {
        const rows = report.rows.filter((r) => r.engine === 'h5py+multiprocessing' && r.strategy === recipe);
        expect(rows.length, recipe).toBeGreaterThan(0);
        expect(rows.every((r) => r.rows === 5000)).toBe(true);
      }
      for (const verdict of report.verdicts) {
        expect(['PASS', 'FAIL']).toContain(verdict.status);
        expect(verdict.ratio).toBeCloseTo((verdict.h5pySerialSeconds ?? NaN) / (verdict.bestSeconds ?? NaN), 9);
      }
    } else {
      expect(report.inputs.find((i) => i.id === 'chunked')?.filters).toEqual(['gzip']);
    }
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);

  it('--only users: whole processes with default settings against the h5py script and the recipes, the limit beside, warm app runs apart', async () => {
    const run = await finished(start([...TINY, '--only', 'users', '--json'], { TMPDIR: tempRoot }));
    expect(run.stderr).not.toMatch(/^h5blocks:/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.rows).toEqual([]);
    // What users get: whole processes with default settings on both inputs and a 1,000-row one, the limit beside, warm runs apart.
    const users = report.users!;
    expect(users.pairs).toBe(1);
    const usersInputs = ['contiguous', 'chunked', 'small'];
    expect(new Set(users.rows.map((r) => r.input))).toEqual(new Set(usersInputs));
    const contenders = report.environment.python ? ['h5blocks', 'h5py-script', 'mp-pool', 'mp-shard'] : ['h5blocks'];
    for (const input of usersInputs) {
      const ours = users.rows.filter((r) => r.input === input);
      expect(ours.map((r) => r.contender)).toEqual(expect.arrayContaining(contenders));
      for (const row of ours) {
        expect(row.runs).toBe(1);
        expect(row.minSeconds).toBeLessThanOrEqual(row.medianSeconds);
        expect(row.maxSeconds).toBeGreaterThanOrEqual(row.medianSeconds);
        expect(row.medianPeakRssMb).toBeGreaterThan(0);
        if (report.environment.python) expect(row.speedupOverScript).toBeCloseTo(ours.find((r) => r.contender === 'h5py-script')!.medianSeconds / row.medianSeconds, 9);
      }
    }
    for (const agreement of users.agreement) expect(agreement.agreed, JSON.stringify(agreement)).toBe(true);
    expect(users.limits.map((l) => l.input)).toEqual(usersInputs);
    for (const limit of users.limits) expect(limit.limitSeconds).toBeCloseTo(limit.readSeconds + limit.writeSyncSeconds, 9);
    expect(users.warm.map((w) => w.input)).toEqual(usersInputs);
    for (const warm of users.warm) expect(warm.runs).toBe(1);
    // A 1,000-row input runs inline by default, in the app as from the shell.
    expect(users.warm.find((w) => w.input === 'small')?.strategy).toMatch(/^inline/);
    expect(report.big).toBeNull();
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);

  it('without h5py, says so and still prints the table with a gzip-only chunked input', async () => {
    const run = await finished(start(['--rows', '20000', '--pairs', '1'], { TMPDIR: tempRoot, H5BLOCKS_PYTHON: join(tempRoot, 'no-such-python') }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('engine / strategy');
    expect(run.stdout).toContain('chunked gzip (no shuffle), 20 k rows');
    for (const strategy of STRATEGIES) expect(run.stdout).toContain(`h5blocks ${strategy}`);
    // No h5py rows in the table (the verdict lines still name h5py serial as what is missing).
    expect(run.stdout).not.toMatch(/│ h5py(\+multiprocessing)? (serial|pool|shard) /);
    expect(run.stdout).toMatch(/no h5py serial time to compare with \(target ≥ 2\.0×\) N\/A/);
    expect(run.stdout).toContain('Note: no Python with h5py and numpy');
    expect(run.stdout).toContain('Outputs agree');
    // The run's timeline phases under the write-ahead log, and no stage phase any more.
    expect(run.stdout).toMatch(/│ log ms │ commit ms │/);
    expect(run.stdout).not.toMatch(/stage/i);
    expect(run.stdout).toContain('Note: the 2 GB-file case was skipped: it needs h5py to make the large file');
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);

  it('--only file-size: a 1,000-row run in a 2 GB file against the same run in a 1 MB file, and nothing else', async () => {
    const run = await finished(start(['--only', 'file-size', '--json'], { TMPDIR: tempRoot }));
    expect(run.stderr).not.toMatch(/^h5blocks:/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.rows).toEqual([]);
    expect(report.stalls).toEqual([]);
    if (!report.environment.python) {
      expect(report.fileSize).toBeNull();
      return;
    }
    const fileSize = report.fileSize!;
    expect(fileSize.rows).toBe(1000);
    expect(fileSize.large.fileBytes).toBeGreaterThanOrEqual(2 * 2 ** 30);
    expect(fileSize.small.fileBytes).toBeGreaterThanOrEqual(2 ** 20);
    expect(fileSize.small.fileBytes).toBeLessThan(2 * 2 ** 20);
    expect(fileSize.ratio).toBeCloseTo(fileSize.large.wallSeconds / fileSize.small.wallSeconds, 9);
    expect(fileSize.status).toBe(fileSize.ratio <= 2 ? 'PASS' : 'FAIL');
    for (const phase of ['log', 'commit']) expect(fileSize.large.phaseTotals.map((p) => p.phase)).toContain(phase);
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);

  it('--only live: what a live (SWMR) run costs against a normal one on the same input, both writing the same output', async () => {
    const run = await finished(start(['--only', 'live', '--rows', '100000', '--json'], { TMPDIR: tempRoot }));
    expect(run.stderr).not.toMatch(/^h5blocks:/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.rows).toEqual([]);
    const live = report.live!;
    expect(live.rows).toBe(100000);
    expect(live.outputsAgree).toBe(true);
    expect(live.ratio).toBeCloseTo(live.liveSeconds / live.normalSeconds, 9);
    expect(live.flushMs).toBeGreaterThan(0);
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);

  it('on Ctrl-C, stops and removes its temporary files', async () => {
    const child = start([...TINY, '--json'], { TMPDIR: tempRoot });
    const done = finished(child);
    // Interrupt once the first configuration has been timed: inputs exist on disk by then.
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (text: string) => {
        seen += text;
        if (/^bench: .* \| /m.test(seen)) resolve();
      });
    });
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('h5blocks: bench cancelled; its temporary files were removed');
    expect(run.stdout).toBe('');
    expect(readdirSync(tempRoot)).toEqual([]);
  }, 900_000);
});
