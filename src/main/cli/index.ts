import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { failure } from './failure';
import { EXPR_OPTION_HELP, exprOption } from './exprOption';
import type { ExprOption } from '../../workers/kernels/expression';
import { nonFiniteSentence } from '../../workers/kernels/expression';
import { MAX_WORKERS, STRATEGIES, type RunResult, type Strategy, type StrategyChoice } from '@shared/run';
import { checkReadableFile } from '../hdf5/files';
import { IoThread } from '../io/ioThread';
import { materializeOnThread, runOnThread, statsOnThread } from '../io/threadRun';
import { DEFAULT_BINS, MAX_BINS, type StatsResult } from '@shared/stats';
import { checkStatsRequest } from '../run/statistics';
import { checkRequest, newRunId } from '../run/engine';
import { fsError } from '../fsErrors';
import { closeWorkerPools } from '../strategies/workerPools';
import { APP_VERSION } from '../version';
import { writeSample } from './sample';
import { BENCH_CASES, type BenchCase } from '../bench/cases';
import { entityLine, type TreeOnlyNode } from './treeText';
import type { Entity } from '@shared/entities';
import { DEFAULT_KERNEL, ROW_KERNELS } from '../../workers/kernels/registry';

const abort = new AbortController();

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`);
    }
    return value;
  };
}


// tree and run work in an I/O thread: the main thread stays free to answer
// SIGINT/SIGTERM, even when a damaged file's decode never returns.
// A recovery after a crash is said in one line on stderr, before the command's own output.
const io = new IoThread({ onNotice: (text) => process.stderr.write(`h5blocks: ${text}\n`) });

function printTree(node: Record<string, unknown>, depth: number, out: string[]): void {
  out.push(...entityLine(node as unknown as Entity | TreeOnlyNode, depth));
  const children = node.children as Record<string, unknown>[] | undefined;
  if (node.kind === 'group' && children && node.hardLinkTo === undefined) for (const child of children) printTree(child, depth + 1, out);
}

function formatRun(result: RunResult): string {
  const s = result.summary;
  const lines = [
    `${basename(result.file)}: ${result.expression !== undefined ? `the expression ${result.expression}` : result.compute ?? DEFAULT_KERNEL} of ${result.dataset} -> ${result.output}  (${result.rows} rows × ${result.columns}, ${result.inputDtype} -> ${result.outputDtype})`,
    ...(result.nonFinite && nonFiniteSentence(result.nonFinite, result.output) ? [nonFiniteSentence(result.nonFinite, result.output)!] : []),
    `strategy ${result.strategy}${result.live ? ' (live: readable while running, SWMR)' : ''}, ${result.workers} worker(s), ${result.blocks.length} blocks of ${result.blockRows} rows`,
    ...(result.chosen ? [`chosen: ${result.chosen}`] : []),
    `wall ${s.wallMs.toFixed(1)} ms, ${(s.rowsPerSecond / 1e6).toFixed(2)} M rows/s, ${s.mbPerSecond.toFixed(1)} MB/s`,
    `phases: ${s.phaseTotals.map((p) => `${p.phase} ${p.ms.toFixed(1)} ms`).join(', ')}`,
    `lanes: ${s.lanes.map((l) => `${l.lane === 'main' ? 'main' : `worker ${l.lane}`} ${(l.utilisation * 100).toFixed(0)}%`).join(', ')}`,
    `output sha256 ${result.outputSha256}`,
  ];
  return lines.join('\n');
}

interface RunOptions {
  dataset: string;
  compute: string;
  expr?: ExprOption;
  strategy: StrategyChoice;
  workers?: number;
  blockRows?: number;
  output?: string;
  overwrite?: boolean;
  scheduler?: string;
  python?: string;
  json?: boolean;
  dryRun?: boolean;
  live?: boolean;
  upgradeFormat?: boolean;
}

/**
 * What a killed live run left on the file (stale SWMR status flags, an
 * unfinished output) is finished before any command reads it, and said in one line.
 */
async function finishInterruptedLiveRun(file: string): Promise<void> {
  const { recoverLiveRun } = await import('../run/liveRun');
  const note = await recoverLiveRun(file);
  if (note) process.stderr.write(`h5blocks: ${note}\n`);
}

export function buildProgram(): Command {
  const program = new Command('h5blocks')
    .description('Block-parallel computations on HDF5 datasets, timed block by block.')
    .version(APP_VERSION)
    // No help after a usage error: an error is one line on stderr, like every other error.
    .exitOverride();

  program.command('tree')
    .description('print the tree of an HDF5 file: shapes, dtypes, layout, filters and attributes')
    .argument('<file>', 'HDF5 file')
    .option('--json', 'print JSON instead of text')
    .option('--follow', 'then print a line whenever a dataset\'s shape changes, until Ctrl-C or the file\'s SWMR writer closes it')
    .action(async (path: string, options: { json?: boolean; follow?: boolean }) => {
      const file = resolve(path);
      checkReadableFile(file);
      await finishInterruptedLiveRun(file);
      const tree = await io.call({ kind: 'tree', file }, { signal: abort.signal });
      if (options.json) process.stdout.write(`${JSON.stringify({ file, ...(tree.beingWritten ? { beingWritten: true } : {}), root: tree }, null, 2)}\n`);
      else {
        const out: string[] = [];
        if (tree.beingWritten) out.push(`${basename(file)}: being written (SWMR): another program is appending to it; shown as it is now`);
        printTree(tree, 0, out);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      if (options.follow) {
        const { followTree } = await import('./followTree');
        await followTree(io, file, tree, abort.signal, (line) => process.stdout.write(`${line}\n`));
      }
    });

  program.command('run')
    .description('compute one value per row (or frame) of a numeric dataset, block by block, and write it into the same file')
    .argument('<file>', 'HDF5 file (the input is never changed)')
    .requiredOption('--dataset <path>', 'the input dataset (rank ≥ 1, blocks along its first axis), e.g. /coords')
    .addOption(new Option('--compute <kernel>', 'what to compute per row (h5blocks kernels lists them)').choices(ROW_KERNELS.map((k) => k.name)).default(DEFAULT_KERNEL))
    .option('--expr <text>', EXPR_OPTION_HELP, exprOption)
    .addOption(new Option('--strategy <name>', 'how blocks are processed (auto: from the dataset\'s size and layout, see the README\'s "Defaults")').choices(['auto', ...STRATEGIES]).default('auto'))
    .option('--workers <n>', `worker threads, 1..${MAX_WORKERS} (default: one per core)`, wholeNumber(1, MAX_WORKERS))
    .option('--block-rows <n>', 'rows per block (default: from the chunk shape)', wholeNumber(1))
    .option('--output <path>', 'output dataset (default: distances beside the input for norm, INPUT_KERNEL for the others)')
    .option('--overwrite', 'replace an existing output dataset')
    .option('--scheduler <address>', 'dask: the Dask scheduler, e.g. tcp://host:8786 (default: a local cluster of --workers processes)')
    .option('--python <path>', 'dask: the Python 3 with dask, distributed, h5py and numpy (default: $H5BLOCKS_PYTHON, else python3)')
    .option('--json', 'print the run, with every block\'s timing, as one JSON object')
    .option('--dry-run', 'run nothing: print a Python script (h5py + dask.distributed) that performs this plan')
    .option('--live', 'readable while running (SWMR): write the output in row order as the file\'s SWMR writer, flushing after each block, so h5py readers with swmr=True see it grow (inline or pool)')
    .option('--upgrade-format', 'with --live: rewrite an older file\'s superblock in HDF5 1.10\'s format (version 3), which SWMR needs; HDF5 1.8 tools then cannot open the file')
    .action(async (path: string, options: RunOptions) => {
      if (options.dryRun) {
        const { exportScript, planOfRequest } = await import('../dask/exportScript');
        const plan = await planOfRequest({
          file: resolve(path), dataset: options.dataset, compute: options.compute, ...(options.expr ? { expr: options.expr.expression } : {}), strategy: options.strategy, workers: options.workers,
          blockRows: options.blockRows, output: options.output, overwrite: options.overwrite, scheduler: options.scheduler,
        });
        process.stdout.write(exportScript(plan, APP_VERSION));
        return;
      }
      const request = {
        file: resolve(path), dataset: options.dataset, compute: options.compute, ...(options.expr ? { expr: options.expr.expression } : {}), strategy: options.strategy, workers: options.workers,
        blockRows: options.blockRows, output: options.output, overwrite: options.overwrite,
        scheduler: options.scheduler, python: options.python,
        ...(options.live ? { live: true } : {}), ...(options.upgradeFormat ? { upgradeFormat: true } : {}),
      };
      checkRequest(request);
      checkReadableFile(request.file);
      await finishInterruptedLiveRun(request.file);
      // The run's clock starts with this process: what a user waits for includes starting it.
      const result = await runOnThread(io, request, newRunId(), { signal: abort.signal, requestedAt: performance.timeOrigin });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatRun(result)}\n`);
      // Committed, unlocked and printed: nothing is left to wait for (a Dask run's
      // cluster is left to end the usual way).
      if (result.strategy !== 'dask') nothingLeftToDo = true;
    });

  program.command('stats')
    .description('whole-dataset statistics by map-reduce over blocks: count, NaN count, min, max, mean, std and a histogram, per column of N×D or over every value; written as a group beside the input')
    .argument('<file>', 'HDF5 file (the input is never changed)')
    .requiredOption('--dataset <path>', 'the input dataset (rank ≥ 1)')
    .option('--bins <n>', `histogram bins, 1..${MAX_BINS}`, wholeNumber(1, MAX_BINS), DEFAULT_BINS)
    .option('--range <lo_hi...>', 'the histogram\'s range LO HI (default: the data\'s [min, max], which takes a second pass)')
    .addOption(new Option('--strategy <name>', 'how blocks are processed').choices(STRATEGIES.filter((s) => s !== 'vds')).default('pool'))
    .option('--workers <n>', `worker threads, 1..${MAX_WORKERS}`, wholeNumber(1, MAX_WORKERS), 2)
    .option('--block-rows <n>', 'rows per block (default: from the chunk shape; rounded up to whole leaves)', wholeNumber(1))
    .option('--output <path>', 'output group (default: INPUT_stats beside the input)')
    .option('--overwrite', 'replace a statistics group an earlier stats wrote')
    .option('--scheduler <address>', 'dask: the Dask scheduler (default: a local cluster of --workers processes)')
    .option('--python <path>', 'dask: the Python 3 with dask, distributed, h5py and numpy')
    .option('--json', 'print the figures and the run as one JSON object')
    .action(async (path: string, options: { dataset: string; bins: number; range?: string[]; strategy: Strategy; workers: number; blockRows?: number; output?: string; overwrite?: boolean; scheduler?: string; python?: string; json?: boolean }) => {
      const request = {
        file: resolve(path), dataset: options.dataset, strategy: options.strategy, workers: options.workers, blockRows: options.blockRows,
        bins: options.bins, range: parseRange(options.range), output: options.output, overwrite: options.overwrite,
        scheduler: options.scheduler, python: options.python,
      };
      checkStatsRequest(request);
      const result = await statsOnThread(io, request, newRunId(), { signal: abort.signal });
      // JSON has no Infinity or NaN: a figure that is one is written as the string "Infinity", "-Infinity" or "NaN".
      const figures = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
      process.stdout.write(options.json ? `${JSON.stringify(result, figures)}\n` : `${formatStats(result)}\n`);
    });

  program.command('kernels')
    .description('list the computations `run --compute` offers, what each accepts and the output it makes')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const kernels = ROW_KERNELS.map((k) => ({ name: k.name, description: k.description, accepts: k.accepts, output: `1-D, one value per entry along the first axis; ${k.outputRule}` }));
      const stats = { name: 'stats', description: 'whole-dataset statistics (h5blocks stats): count, NaN count, min, max, mean, std, histogram', accepts: 'any integer or float dataset of rank ≥ 1 (per column of N×D, over all values otherwise)', output: 'a group of small datasets beside the input' };
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ kernels, reductions: [stats] }, null, 2)}\n`);
        return;
      }
      const lines = [...kernels, stats].map((k) => `${k.name.padEnd(10)} ${k.description}\n${''.padEnd(10)} accepts: ${k.accepts}\n${''.padEnd(10)} output: ${k.output}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program.command('materialize')
    .description('replace a virtual dataset (a vds run\'s output) by a regular one with the same values and attributes, then remove its shards')
    .argument('<file>', 'HDF5 file')
    .requiredOption('--dataset <path>', 'the virtual dataset, e.g. /distances')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, options: { dataset: string; json?: boolean }) => {
      checkReadableFile(resolve(path));
      await finishInterruptedLiveRun(resolve(path));
      const result = await materializeOnThread(io, resolve(path), options.dataset, newRunId(), abort.signal);
      process.stdout.write(options.json
        ? `${JSON.stringify(result)}\n`
        : `${basename(result.file)}: ${result.dataset} is now a regular dataset (${result.rows} rows stored in the file); ${result.removedShards} shard file(s) removed\n`);
    });

  program.command('export-script')
    .description('write a self-contained Python script (h5py + dask.distributed) that performs a run\'s plan again')
    .argument('<run.json>', 'a run as `h5blocks run --json` prints it, or the app\'s JSON export of runs')
    .option('--run <id>', 'which run, when the JSON holds several')
    .option('--output <script.py>', 'write the script there (never replacing a file) instead of printing it')
    .action(async (path: string, options: { run?: string; output?: string }) => {
      const { exportScript, planFromRunJson } = await import('../dask/exportScript');
      let text: string;
      try {
        text = readFileSync(resolve(path), 'utf8');
      } catch (error) {
        throw fsError(error, resolve(path), 'read the run');
      }
      const script = exportScript(planFromRunJson(text, basename(path), options.run), APP_VERSION);
      if (!options.output) {
        process.stdout.write(script);
        return;
      }
      try {
        writeFileSync(resolve(options.output), script, { flag: 'wx', mode: 0o755 });
      } catch (error) {
        throw fsError(error, resolve(options.output), 'write the script');
      }
    });

  program.command('sample')
    .description('write a seed-style /coords file of random float32 points')
    .argument('<file>', 'new HDF5 file (never replaces an existing one)')
    .option('--rows <n>', 'number of points', wholeNumber(0), 1000)
    .option('--chunked', 'chunked layout (64 Ki rows per chunk)')
    .option('--gzip', 'gzip-compressed chunks (implies --chunked)')
    .action(async (path: string, options: { rows: number; chunked?: boolean; gzip?: boolean }) => {
      await writeSample(resolve(path), { rows: options.rows, chunked: options.chunked === true, gzip: options.gzip === true });
      process.stdout.write(`${resolve(path)}: /coords, ${options.rows} × 2 float32\n`);
    });

  program.command('bench')
    .description('time every strategy against h5py on generated inputs and print a table')
    .option('--rows <n>', 'rows of each generated input', wholeNumber(1), 20_000_000)
    .option('--baseline-rows <n>', 'rows for the slow multiprocessing recipes', wholeNumber(1), 1_000_000)
    .option('--memory-rows <n>', 'also measure peak memory of pool and shard runs on a chunked input of this many rows (slow; off by default)', wholeNumber(1))
    .option('--repeat <n>', 'time each configuration n times and keep the fastest', wholeNumber(1, 100), 1)
    .option('--stack-frames <n>', 'frames of the stack-sum case\'s 512 × 512 uint16 stack', wholeNumber(1), 2000)
    .addOption(new Option('--only <cases...>', 'run only these cases (default: all but big, stack-sum, stats and expr, which write large files)').choices([...BENCH_CASES]))
    .option('--pairs <n>', 'users, big, stack-sum, stats, expr: rounds of alternating whole-process runs (medians over them)', wholeNumber(1, 1000), 5)
    .option('--big-rows <n>', 'big: rows of the larger-than-memory input', wholeNumber(1), 3_000_000_000)
    .option('--drop-caches', 'big: drop the page cache before each run (root only)')
    .option('--json', 'print JSON')
    .action(async (options: { rows: number; baselineRows: number; memoryRows?: number; repeat: number; stackFrames: number; json?: boolean; only?: BenchCase[]; pairs: number; bigRows: number; dropCaches?: boolean }) => {
      const { runBench } = await import('./bench');
      await runBench({ ...options, signal: abort.signal });
    });

  program.command('serve')
    .description('serve the app on 127.0.0.1 for a browser (the token URL is the first line printed)')
    .argument('[files...]', 'files to open')
    .option('--port <n>', 'port (default: any free one)', wholeNumber(0, 65535), 0)
    .option('--root <dir...>', 'folders Open… may browse (default: the folders of the given files)')
    .action(async (files: string[], options: { port: number; root?: string[] }) => {
      const { serve } = await import('../server/serve');
      for (const file of files) await finishInterruptedLiveRun(resolve(file));
      await serve({ files: files.map((f) => resolve(f)), port: options.port, roots: options.root?.map((r) => resolve(r)), signal: abort.signal });
    });

  return program;
}

/** `--range LO HI`: two numbers, LO < HI (commander gives the words; negative numbers included). */
function parseRange(words: string[] | undefined): [number, number] | undefined {
  if (words === undefined) return undefined;
  const numbers = words.map((word) => (word.trim() === '' ? NaN : Number(word)));
  if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n)) || !(numbers[0] < numbers[1])) {
    throw new H5BlocksError('invalid-argument', `--range takes two finite numbers LO HI with LO < HI, not "${words.join(' ')}"`);
  }
  return [numbers[0], numbers[1]];
}

function formatStats(result: StatsResult): string {
  const number = (value: number | null) => (value === null ? '-' : String(value));
  const lines = [
    `${basename(result.file)}: stats of ${result.dataset} (shape ${result.shape.join('×')}, ${result.inputDtype}) -> ${result.output}`,
    `${result.perColumn ? 'per column' : 'over every value'}; strategy ${result.strategy}, ${result.workers} worker(s), blocks of ${result.blockRows} rows, ${result.passes} pass(es), wall ${result.wallMs.toFixed(1)} ms`,
    ['', 'count', 'nan', 'min', 'max', 'mean', 'std'].map((h) => h.padEnd(22)).join(' '),
  ];
  for (const group of result.groups) {
    const label = group.column === undefined ? 'all' : `column ${group.column}`;
    lines.push([label, String(group.count), String(group.nanCount), number(group.min), number(group.max), number(group.mean), number(group.std)].map((cell) => cell.padEnd(22)).join(' '));
  }
  for (const group of result.groups) {
    const label = group.column === undefined ? 'histogram' : `histogram of column ${group.column}`;
    if (group.histogram) {
      const { edges, counts } = group.histogram;
      lines.push(`${label}: ${counts.length} bins over [${edges[0]}, ${edges[edges.length - 1]}]: ${counts.join(' ')}`);
    } else {
      lines.push(`${label}: none (${group.noHistogram})`);
    }
  }
  return lines.join('\n');
}

/** Set by a command whose work is all done (its file committed and unlocked, its result printed). */
let nothingLeftToDo = false;

function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (and help) for usage errors.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const { line, exitCode } = failure(error);
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (abort.signal.aborted) process.exit(1);
      abort.abort(new H5BlocksError('aborted', `interrupted by ${signal}; the file is unchanged`));
    });
  }
  try {
    await buildProgram().parseAsync(argv);
    // Ending the threads one by one (h5wasm's exit handlers, each isolate torn
    // down) costs a short run about 30 ms more than exiting at once.
    if (nothingLeftToDo) process.exit(0);
    await io.terminate();
    await closeWorkerPools();
    process.exitCode = 0;
  } catch (error) {
    await io.terminate().catch(() => undefined);
    await closeWorkerPools().catch(() => undefined);
    fail(error);
  }
}

void main(process.argv);
