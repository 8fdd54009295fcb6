import type { PhaseTotal } from '@shared/run';

/** One generated input file; every configuration runs on its own copy of it. */
export interface BenchInput {
  id: string;
  label: string;
  path: string;
  rows: number;
  layout: 'contiguous' | 'chunked';
  /** HDF5 filters in pipeline order, e.g. ['shuffle', 'gzip']. */
  filters: string[];
  chunkRows?: number;
  bytes: number;
  /** Whether the bench gives a PASS/FAIL verdict for it (the full-size inputs). */
  judged: boolean;
  /** The speed-up over h5py serial its best h5blocks configuration must reach. */
  targetRatio?: number;
}

export type Engine = 'h5blocks' | 'h5py' | 'h5py+multiprocessing';

export interface BenchRow {
  input: string;
  inputLabel: string;
  rows: number;
  engine: Engine;
  /** inline, pool, shard for h5blocks and multiprocessing; serial for plain h5py. */
  strategy: string;
  workers: number;
  /** Rows per block as run; null when the whole dataset is read at once. */
  blockRows: number | null;
  /** Whether blockRows was the engine's own default choice. */
  defaultBlockRows: boolean;
  /** The fastest of `runs` timed runs. */
  wallSeconds: number;
  runs: number;
  rowsPerSecond: number;
  /** h5py serial time on the same input divided by this time: above 1 is faster than h5py. */
  ratioToH5pySerial: number | null;
  outputSha256: string;
  /** h5blocks only: milliseconds per phase summed over blocks and lanes (init shows cold workers). */
  phaseTotals?: PhaseTotal[];
  /** h5blocks only: the engine's own wall time, from taking the lock to the end of the commit. */
  engineWallSeconds?: number;
}

export interface Agreement {
  input: string;
  agreed: boolean;
  /** Distinct output digests and the configurations that produced each. */
  digests: { sha256: string; configurations: string[] }[];
}

/** N/A: nothing to compare with (no h5py here, or no /proc to read memory from). */
export type VerdictStatus = 'PASS' | 'FAIL' | 'N/A';

export interface Verdict {
  input: string;
  inputLabel: string;
  best: string | null;
  bestSeconds: number | null;
  h5pySerialSeconds: number | null;
  ratio: number | null;
  target: number;
  status: VerdictStatus;
}

export interface MemoryRow {
  input: string;
  inputLabel: string;
  rows: number;
  strategy: string;
  workers: number;
  blockRows: number;
  wallSeconds: number;
  /** Peak resident set of the whole `h5blocks run` process (all its threads), in MB (10^6 bytes); null where /proc is missing. */
  peakRssMb: number | null;
  targetMb: number;
  status: VerdictStatus;
}

export function describeConfiguration(row: BenchRow): string {
  const block = row.blockRows === null ? 'whole' : `${formatBlockRows(row.blockRows)}${row.defaultBlockRows ? ' (default)' : ''}`;
  return `${row.engine} ${row.strategy}, ${row.workers} worker${row.workers === 1 ? '' : 's'}, blocks ${block}`;
}

/** The reference on an input: the faster of the h5py serial variants. */
export function h5pySerialSeconds(rows: BenchRow[], input: string): number | null {
  const serial = rows.filter((r) => r.input === input && r.engine === 'h5py').map((r) => r.wallSeconds);
  return serial.length > 0 ? Math.min(...serial) : null;
}

export function withRatios(rows: BenchRow[]): BenchRow[] {
  return rows.map((row) => {
    const reference = h5pySerialSeconds(rows, row.input);
    return { ...row, ratioToH5pySerial: reference === null ? null : reference / row.wallSeconds };
  });
}

export function agreementOf(rows: BenchRow[], inputs: BenchInput[]): Agreement[] {
  return inputs.map((input) => {
    const byDigest = new Map<string, Set<string>>();
    for (const row of rows.filter((r) => r.input === input.id)) {
      const configurations = byDigest.get(row.outputSha256) ?? new Set<string>();
      configurations.add(describeConfiguration(row));
      byDigest.set(row.outputSha256, configurations);
    }
    const digests = [...byDigest.entries()].map(([sha256, configurations]) => ({ sha256, configurations: [...configurations] }));
    return { input: input.id, agreed: digests.length <= 1, digests };
  });
}

export function verdictsOf(rows: BenchRow[], inputs: BenchInput[]): Verdict[] {
  return inputs.filter((input) => input.judged).map((input) => {
    const target = input.targetRatio ?? 1;
    const ours = rows.filter((r) => r.input === input.id && r.engine === 'h5blocks');
    const best = ours.reduce<BenchRow | undefined>((a, b) => (a === undefined || b.wallSeconds < a.wallSeconds ? b : a), undefined);
    const reference = h5pySerialSeconds(rows, input.id);
    const ratio = best && reference !== null ? reference / best.wallSeconds : null;
    return {
      input: input.id,
      inputLabel: input.label,
      best: best ? describeConfiguration(best) : null,
      bestSeconds: best?.wallSeconds ?? null,
      h5pySerialSeconds: reference,
      ratio,
      target,
      status: ratio === null ? 'N/A' : ratio >= target ? 'PASS' : 'FAIL',
    };
  });
}

/** 262144 -> "256 Ki", 2097152 -> "2 Mi", 1000000 -> "1,000,000". */
export function formatBlockRows(rows: number): string {
  if (rows >= 2 ** 20 && rows % 2 ** 20 === 0) return `${rows / 2 ** 20} Mi`;
  if (rows >= 2 ** 10 && rows % 2 ** 10 === 0) return `${rows / 2 ** 10} Ki`;
  return rows.toLocaleString('en-US');
}

/** 20000000 -> "20 M", 5000 -> "5 k", 1234567 -> "1.23 M". */
export function formatRowCount(rows: number): string {
  const scaled = (value: number, unit: string) => `${Number(value.toPrecision(3))} ${unit}`;
  if (rows >= 1e6) return scaled(rows / 1e6, 'M');
  if (rows >= 1e3) return scaled(rows / 1e3, 'k');
  return String(rows);
}
