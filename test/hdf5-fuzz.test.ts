// 500 damaged files from a fixed seed (byte flips, truncations, zeroed and duplicated
// ranges of the corpus and filter examples), each through `tree --json` and `run`:
// no hang, no crash, exit 0/1/2, exactly one plain line on failure, the file unchanged
// by a failed run, nothing left behind. Most files go through two long-lived child
// processes that do what the CLI does; a sample also goes through the real CLI.
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { lines, runCli } from './support/cli';
import { makeTempFolder, removeTempFolders, sha256File } from './support/files';
import type { Outcome } from './support/fuzz-child';
import { mutatedFiles } from './support/mutations';
import { corpusFile, projectRoot } from './support/paths';

// CI runs the fast, seeded campaign; H5BLOCKS_FUZZ_LONG=1 runs a longer one (more files, the hostile
// fixtures too), and H5BLOCKS_FUZZ_SEED / H5BLOCKS_FUZZ_COUNT replay or widen any campaign.
const LONG = process.env.H5BLOCKS_FUZZ_LONG === '1';
const SEED = Number(process.env.H5BLOCKS_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.H5BLOCKS_FUZZ_COUNT ?? (LONG ? 5000 : 500));
/** A generous bound that scales with the campaign (about 1.8 s per file at most, for hangs, not speed). */
const CAMPAIGN_TIMEOUT_MS = Math.max(900_000, COUNT * 1800);
const CLI_SAMPLE = 10;
const SOURCES = [
  { path: corpusFile('coords_1k.h5'), dataset: '/coords' },
  { path: corpusFile('coords_with_distances.h5'), dataset: '/coords' },
  { path: corpusFile('structure.h5'), dataset: '/experiment/run_001/detector/coords' },
  { path: corpusFile('dtypes.h5'), dataset: '/be_f4' },
  { path: corpusFile('layouts.h5'), dataset: '/shuffle_gzip' },
  ...['blosc', 'bshuf', 'bzip2', 'bzip2', 'lz4', 'lzf', 'lzf', 'zfp', 'zstd'].map((name) => ({
    path: corpusFile(`filters/h5ex_d_${name}.h5`), dataset: '/DS1',
  })),
  ...(LONG ? [
    { path: corpusFile('hostile/packed.h5'), dataset: '/scaleoffset_int' },
    { path: corpusFile('hostile/packed.h5'), dataset: '/shuffle_gzip_be' },
    { path: corpusFile('hostile/hardlinks.h5'), dataset: '/data' },
  ] : []),
];
// Bounded: a decode that never returns is abandoned after this, well inside the test's time.
const STALL_LIMIT_MS = 3000;
const NOISE = /Aborted\(|HDF5-DIAG|^ {4}at |Cannot enlarge memory|warning: |MaxListeners/m;

afterAll(() => removeTempFolders());

const run = promisify(execFile);

async function childOutcomes(part: number, step: number): Promise<{ outcomes: Outcome[]; stderr: string }> {
  const folder = makeTempFolder(`fuzz-${part}`);
  const config = { sources: SOURCES, count: COUNT, seed: SEED, part, step, folder };
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/support/fuzz-child.ts'), JSON.stringify(config)], {
    cwd: projectRoot, env: { ...process.env, H5BLOCKS_STALL_LIMIT_MS: String(STALL_LIMIT_MS) },
    maxBuffer: 256 * 1024 * 1024, timeout: CAMPAIGN_TIMEOUT_MS,
  });
  return { outcomes: JSON.parse(stdout) as Outcome[], stderr };
}

function describeOutcome(o: Outcome): string {
  return `#${o.index} ${o.source} (${o.mutation}) ${o.command}: exit ${o.exitCode}${o.line ? `, "${o.line}"` : ''}`;
}

describe('damaged files', () => {
  it(`${COUNT} mutated files through tree and run: one clear line or success, never noise, harm or leftovers`, async () => {
    const parts = await Promise.all([childOutcomes(0, 2), childOutcomes(1, 2)]);
    for (const { stderr } of parts) expect(stderr).toBe('');
    const outcomes = parts.flatMap((p) => p.outcomes);
    expect(outcomes).toHaveLength(2 * COUNT);
    for (const o of outcomes) {
      const what = describeOutcome(o);
      expect([0, 1, 2], what).toContain(o.exitCode);
      // Each case is bounded by the stall limit (plus a thread restart), never open-ended.
      expect(o.ms, what).toBeLessThan(STALL_LIMIT_MS + 45_000);
      if (o.exitCode !== 0) {
        expect(o.line, what).toMatch(/^h5blocks: \S/);
        expect(o.line, what).not.toMatch(NOISE);
        expect(o.line, what).not.toMatch(/\n/);
        // Names the file (the object too where there is one).
        expect(o.line, what).toContain(`m${o.index}-${o.source}`);
      }
      if (o.command === 'run') {
        if (o.exitCode !== 0) expect(o.unchanged, what).toBe(true);
        expect(o.leftovers, what).toEqual([]);
      }
    }
    // The campaign must reach HDF5's failure paths, not only refusals of the input.
    const failures = outcomes.filter((o) => o.exitCode !== 0);
    expect(failures.length).toBeGreaterThan(COUNT / 4);
    expect(failures.some((o) => /damaged|truncated/.test(o.line ?? ''))).toBe(true);
  }, CAMPAIGN_TIMEOUT_MS);

  it(`a sample of ${CLI_SAMPLE} through the real CLI: no signal, exit 0/1/2, at most one stderr line`, async () => {
    const folder = makeTempFolder('fuzz-cli');
    const picked = [...mutatedFiles(SOURCES.map((s) => s.path), COUNT, SEED)].filter((_, i) => i % Math.floor(COUNT / CLI_SAMPLE) === 0).slice(0, CLI_SAMPLE);
    const env = { H5BLOCKS_STALL_LIMIT_MS: String(STALL_LIMIT_MS) };
    for (const mutated of picked) {
      const file = join(folder, `m${mutated.index}-${basename(mutated.source)}`);
      writeFileSync(file, mutated.bytes);
      const dataset = SOURCES.find((s) => s.path === mutated.source)!.dataset;
      for (const args of [['tree', file, '--json'], ['run', file, '--dataset', dataset, '--strategy', 'inline', '--output', '/fuzz_out']]) {
        const before = sha256File(file);
        const result = await runCli(args, { env });
        const what = `#${mutated.index} (${mutated.description}) ${args[0]}: ${result.stderr}`;
        expect(result.signal, what).toBeNull();
        expect([0, 1, 2], what).toContain(result.status);
        expect(result.stderr, what).not.toMatch(NOISE);
        if (result.status !== 0) {
          expect(lines(result.stderr), what).toHaveLength(1);
          if (args[0] === 'run') expect(sha256File(file), what).toBe(before);
        } else {
          expect(result.stderr, what).toBe('');
        }
      }
      expect(readdirSync(folder).filter((entry) => entry.startsWith('.')), file).toEqual([]);
      expect(readdirSync(tmpdir()).filter((entry) => /^h5blocks-[0-9a-z]+-[0-9a-f]{6}-/.test(entry)), file).toEqual([]);
    }
  }, 120_000);
});
