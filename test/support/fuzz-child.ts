// Run as `node --import tsx test/support/fuzz-child.ts CONFIG_JSON` by hdf5-fuzz.test.ts.
// One process meets a share of the mutated files, each through what `h5blocks tree --json`
// and `h5blocks run` do (the same I/O thread, engine and one-line failure the CLI uses),
// without paying a process start per file. Whatever HDF5 or Emscripten prints would land
// on this process's real stderr, which the parent requires to be empty.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { failure } from '../../src/main/cli/failure';
import { IoThread } from '../../src/main/io/ioThread';
import { runOnThread } from '../../src/main/io/threadRun';
import { closeWorkerPools } from '../../src/main/strategies/workerPools';
import type { Strategy } from '../../src/shared/run';
import { mutatedFiles } from './mutations';

interface Config {
  sources: { path: string; dataset: string }[];
  count: number;
  seed: number;
  /** This child takes the files whose index % step === part. */
  part: number;
  step: number;
  folder: string;
}

export interface Outcome {
  index: number;
  source: string;
  mutation: string;
  command: 'tree' | 'run';
  exitCode: number;
  /** The stderr line on failure. */
  line?: string;
  ms: number;
  /** For failed runs: the file's bytes stayed the same. */
  unchanged?: boolean;
  /** Staged copies, locks and shard scratch of the run that are still there. */
  leftovers?: string[];
}

const config = JSON.parse(process.argv[2]) as Config;
const strategies: Strategy[] = ['inline', 'pool', 'shard'];
const io = new IoThread();
const outcomes: Outcome[] = [];
const datasetOf = new Map(config.sources.map((s) => [s.path, s.dataset]));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function attempt(command: Outcome['command'], work: () => Promise<unknown>): Promise<Pick<Outcome, 'exitCode' | 'line' | 'ms'>> {
  const started = Date.now();
  try {
    await work();
    return { exitCode: 0, ms: Date.now() - started };
  } catch (error) {
    const { line, exitCode } = failure(error);
    return { exitCode, line, ms: Date.now() - started };
  }
}

function leftovers(file: string, runId: string): string[] {
  const beside = readdirSync(dirname(file)).filter((entry) => entry.startsWith(`.${basename(file)}.`));
  const scratch = readdirSync(tmpdir()).filter((entry) => entry.startsWith(`h5blocks-${runId}-`));
  return [...beside, ...scratch];
}

for (const mutated of mutatedFiles(config.sources.map((s) => s.path), config.count, config.seed)) {
  if (mutated.index % config.step !== config.part) continue;
  const file = join(config.folder, `m${mutated.index}-${basename(mutated.source)}`);
  writeFileSync(file, mutated.bytes);
  const base = { index: mutated.index, source: basename(mutated.source), mutation: mutated.description };
  outcomes.push({ ...base, command: 'tree', ...(await attempt('tree', () => io.call({ kind: 'tree', file }))) });

  const before = sha(file);
  const runId = `fuzz${mutated.index}-${randomBytes(2).toString('hex')}`;
  const request = {
    file, dataset: datasetOf.get(mutated.source) ?? '/coords', strategy: strategies[mutated.index % strategies.length],
    workers: 2, output: '/fuzz_out',
  };
  const run = await attempt('run', () => runOnThread(io, request, runId));
  outcomes.push({
    ...base, command: 'run', ...run,
    ...(run.exitCode !== 0 ? { unchanged: sha(file) === before } : {}),
    leftovers: leftovers(file, runId),
  });
  rmSync(file, { force: true });
}
await io.terminate();
await closeWorkerPools();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
