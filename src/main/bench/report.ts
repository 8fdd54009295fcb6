import { STALL_TARGET_MS, type StallRow } from './eventLoopStall';
import type { UsersCase } from './wholeProcess';
import { describeBytes, type FileSizeCase, type FileSizeRun } from './fileSize';
import type { LiveCostCase } from './liveCost';
import Table from 'cli-table3';
import { kernelCaseLines, type KernelCaseRow } from './kernelCases';
import { exprCaseLines, type ExprCase } from './exprCase';
import type { PhaseTotal } from '@shared/run';
import { formatBlockRows, type Agreement, type BenchInput, type BenchRow, type MemoryRow, type Verdict } from './results';

export interface BenchReport {
  version: string;
  startedAt: string;
  environment: { cpus: number; node: string; python: { executable: string; h5py: string; numpy: string } | null };
  options: { rows: number; baselineRows: number; memoryRows: number | null; repeat: number; workerCounts: number[]; blockRows: (number | 'default')[]; cases: string[] };
  inputs: Omit<BenchInput, 'path'>[];
  rows: BenchRow[];
  agreement: Agreement[];
  verdicts: Verdict[];
  memory: MemoryRow[];
  /** A 1,000-row run in a 2 GB file against the same run in a 1 MB one; null when not run. */
  fileSize: FileSizeCase | null;
  /** What `run --live` costs against a normal run (reported, no target). */
  live?: LiveCostCase | null;
  /** The main thread's longest event-loop stall during runs on the I/O thread. */
  stalls: StallRow[];
  /** Whole CLI processes with default settings against the h5py script and the others, and warm runs in one service. */
  users: UsersCase | null;
  /** The larger-than-memory input (`--only big`); null when not run or skipped (see notes). */
  big: UsersCase | null;
  /** The kernels' cases (stack-sum, stats) against h5py + numpy, whole processes. */
  kernelCases?: KernelCaseRow[];
  /** `--only expr`: a typed expression against the built-in kernel and h5py + numpy, whole processes. */
  exprCase?: ExprCase | null;
  /** Things the reader must know to read the numbers (fallbacks, skipped parts, disagreements). */
  notes: string[];
}

// No colours: the table is often piped into a file or pasted into an issue.
const PLAIN = { head: [], border: [] };

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const python = report.environment.python;
  lines.push(
    `h5blocks ${report.version} bench: ${report.environment.cpus} CPUs, Node ${report.environment.node}, ` +
      (python ? `h5py ${python.h5py} + numpy ${python.numpy} (${python.executable})` : 'no h5py'),
  );
  if (report.users) lines.push('', ...usersLines(report.users, 'What users get: whole processes from a shell, default settings, each on a fresh copy of its input'));
  if (report.big) lines.push('', ...usersLines(report.big, 'Larger than memory: whole processes, each writing into the input, which is put back after'));
  if (report.rows.length > 0) {
    lines.push(
      '',
      'Configurations, warm in one process (not what a user meets first):',
      'h5blocks worker pools warm, as in the app; h5py timed inside Python from opening the file to closing it.',
      'log, commit = milliseconds h5blocks spent opening the file under its write-ahead log and creating the output, and committing (sync, commit record, copy into place).',
      '× h5py = h5py serial time on the same input ÷ this time (the faster of whole and blocked serial); above 1 is faster.',
      ...(report.options.repeat > 1 ? [`Each configuration timed ${report.options.repeat} times; the table shows the fastest run.`] : []),
      '',
      resultsTable(report),
    );
  }
  lines.push('');
  if (report.verdicts.length > 0) {
    lines.push('Best h5blocks configuration vs h5py serial:');
    for (const v of report.verdicts) {
      const versus = v.ratio === null || v.h5pySerialSeconds === null
        ? 'no h5py serial time to compare with'
        : `${v.bestSeconds?.toFixed(3)} s vs h5py serial ${v.h5pySerialSeconds.toFixed(3)} s = ${v.ratio.toFixed(2)}×`;
      lines.push(`  ${v.inputLabel}: ${v.best ?? 'no h5blocks run'}: ${versus} (target ≥ ${v.target.toFixed(1)}×) ${v.status}`);
    }
    lines.push('');
  }
  for (const agreement of report.agreement) {
    if (agreement.agreed) continue;
    lines.push(`WARNING: outputs on ${agreement.input} disagree:`);
    for (const d of agreement.digests) lines.push(`  sha256 ${d.sha256.slice(0, 16)}…: ${d.configurations.join('; ')}`);
  }
  if (report.agreement.length > 0 && report.agreement.every((a) => a.agreed)) lines.push('Outputs agree: on each input every configuration wrote the same /distances (SHA-256 of the values).');
  if (report.fileSize) lines.push(...fileSizeLines(report.fileSize));
  if (report.live) {
    const l = report.live;
    lines.push('', `A live run (--live: SWMR writer, a flush after each block) against a normal one, ${l.strategy}, ${l.workers} workers, ${l.rows} rows in ${l.blocks} blocks, fastest of ${l.trials}:`,
      `  normal ${l.normalSeconds.toFixed(3)} s, live ${l.liveSeconds.toFixed(3)} s = ${l.ratio.toFixed(2)}× (flushes ${l.flushMs.toFixed(1)} ms in all); outputs ${l.outputsAgree ? 'agree' : 'DISAGREE'}`);
  }
  for (const stall of report.stalls) {
    lines.push(`Main event loop during ${stall.strategy} (${stall.workers} worker${stall.workers === 1 ? '' : 's'}) on ${stall.inputLabel}: longest stall ${stall.maxStallMs.toFixed(1)} ms over ${stall.wallSeconds.toFixed(2)} s (target ≤ ${STALL_TARGET_MS} ms) ${stall.maxStallMs <= STALL_TARGET_MS ? 'PASS' : 'FAIL'}`);
  }
  if (report.memory.length > 0) {
    lines.push('', `Peak resident memory of \`h5blocks run\` (whole process, all threads; target < ${report.memory[0].targetMb} MB for 100 M rows):`);
    for (const m of report.memory) {
      const peak = m.peakRssMb === null ? 'not measurable here (no /proc)' : `${m.peakRssMb.toFixed(0)} MB`;
      lines.push(`  ${m.inputLabel}, ${m.strategy}, ${m.workers} workers, blocks ${formatBlockRows(m.blockRows)}: ${peak} in ${m.wallSeconds.toFixed(1)} s ${m.status}`);
    }
  }
  lines.push(...kernelCaseLines(report.kernelCases ?? []));
  lines.push(...exprCaseLines(report.exprCase));
  if (report.notes.length > 0) lines.push('', ...report.notes.map((note) => `Note: ${note}`));
  return `${lines.join('\n')}\n`;
}

function resultsTable(report: BenchReport): string {
  const head = ['input', 'engine / strategy', 'workers', 'block rows', 'wall s', 'M rows/s', '× h5py', 'log ms', 'commit ms'];
  const table = new Table({
    head,
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { ...PLAIN, compact: true },
  });
  report.inputs.forEach((input, inputIndex) => {
    const rows = report.rows.filter((r) => r.input === input.id);
    // A blank line between inputs, and the input named once per group, so the groups read apart.
    if (inputIndex > 0) table.push([{ content: '', colSpan: head.length }]);
    rows.forEach((row, index) => {
      const cells = [
        `${row.engine} ${row.strategy}`,
        row.workers,
        row.blockRows === null ? 'whole' : `${formatBlockRows(row.blockRows)}${row.defaultBlockRows ? ' (default)' : ''}`,
        row.wallSeconds.toFixed(3),
        (row.rowsPerSecond / 1e6).toFixed(2),
        row.ratioToH5pySerial === null ? '–' : `${row.ratioToH5pySerial.toFixed(2)}×`,
        phaseMs(row.phaseTotals, 'log'),
        phaseMs(row.phaseTotals, 'commit'),
      ];
      table.push(index === 0 ? [{ content: input.label, rowSpan: rows.length, vAlign: 'top' }, ...cells] : cells);
    });
  });
  return table.toString();
}

/** A phase's total in ms, or – for rows without h5blocks' timeline (the h5py baselines). */
/** Whole-process medians with their spread, the physical limit beside, then the warm in-app runs. */
function usersLines(users: UsersCase, title: string): string[] {
  const lines = [
    `${title}; ${users.pairs} round(s) alternating the contenders, \`sync\` before each run; wall time and peak memory by /usr/bin/time.`,
    '× script = the h5py script\'s median ÷ this median (above 1 is faster); memory × script likewise for peak memory.',
  ];
  const table = new Table({ head: ['input', 'contender', 'median s', 'min–max s', 'CPU s', 'peak MB', '× script', 'memory × script'], style: PLAIN });
  for (const row of users.rows) {
    table.push([
      row.inputLabel, row.label, row.medianSeconds.toFixed(3), `${row.minSeconds.toFixed(3)}–${row.maxSeconds.toFixed(3)}`,
      row.medianCpuSeconds.toFixed(2), row.medianPeakRssMb.toFixed(0),
      row.speedupOverScript === null ? '—' : `${row.speedupOverScript.toFixed(2)}×`, row.memoryOverScript === null ? '—' : `${row.memoryOverScript.toFixed(2)}×`,
    ]);
  }
  lines.push(table.toString());
  for (const limit of users.limits) {
    lines.push(`Physical limit on ${limit.inputLabel}: reading the input ${limit.readSeconds.toFixed(3)} s + writing and syncing the output ${limit.writeSyncSeconds.toFixed(3)} s = ${limit.limitSeconds.toFixed(3)} s; best: ${limit.best} ${limit.bestSeconds.toFixed(3)} s, ${limit.timesLimit.toFixed(2)}× the limit.`);
  }
  for (const a of users.agreement) lines.push(a.agreed ? `Outputs agree on ${a.input}: every run wrote the same /distances (sha256 ${a.digests[0]?.slice(0, 16)}…).` : `WARNING: outputs on ${a.input} disagree: ${a.digests.join(', ')}`);
  if (users.warm.length > 0) {
    lines.push('', 'Warm, in the app: runs in one service (the app\'s run path: an I/O thread per run, warm pools), each on a fresh copy; wall time as the run reports it, from the request:');
    const warm = new Table({ head: ['input', 'first run s', `later runs: median s (${users.warm[0].runs})`, 'min–max s', 'strategy', '× script'], style: PLAIN });
    for (const row of users.warm) {
      warm.push([row.inputLabel, row.firstSeconds.toFixed(3), row.medianSeconds.toFixed(3), `${row.minSeconds.toFixed(3)}–${row.maxSeconds.toFixed(3)}`, row.strategy,
        row.speedupOverScript === null ? '—' : `${row.speedupOverScript.toFixed(2)}×`]);
    }
    lines.push(warm.toString());
  }
  return lines;
}

function phaseMs(totals: PhaseTotal[] | undefined, phase: 'log' | 'commit'): string {
  if (!totals) return '–';
  return (totals.find((t) => t.phase === phase)?.ms ?? 0).toFixed(0);
}

function fileSizeLines(c: FileSizeCase): string[] {
  const line = (run: FileSizeRun) =>
    `  ${describeBytes(run.fileBytes)} file: ${(run.wallSeconds * 1000).toFixed(1)} ms (log ${phaseMs(run.phaseTotals, 'log')} ms, commit ${phaseMs(run.phaseTotals, 'commit')} ms)`;
  return [
    '',
    `A ${c.rows.toLocaleString('en-US')}-row run (${c.strategy}, ${c.workers} workers, fastest of ${c.trials}) in a small file and in a large one beside a large /images:`,
    line(c.small),
    line(c.large),
    `  large ÷ small = ${c.ratio.toFixed(2)}× (target ≤ ${c.target.toFixed(1)}×) ${c.status}`,
    '',
  ];
}
