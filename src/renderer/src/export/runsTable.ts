// Runs as CSV and JSON for spreadsheets and scripts: raw numbers in fixed units
// (milliseconds, rows per second, MB per second), one line per run.

import type { RunRecord } from '@shared/api';
import type { ComparedRun } from '../compare/metrics';

export const CSV_COLUMNS = [
  'run_id', 'started_at', 'file', 'dataset', 'output', 'strategy', 'workers', 'block_rows', 'rows', 'columns',
  'input_dtype', 'output_dtype', 'wall_ms', 'rows_per_second', 'mb_per_second', 'speedup_vs_inline',
  'parallel_efficiency', 'output_sha256', 'matches_others', 'compute', 'expression',
] as const;

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header line, then one CRLF-terminated line per run. */
export function runsToCsv(runs: ComparedRun[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const { record: r, speedup, efficiency } of runs) {
    const values: (string | number | boolean | null)[] = [
      r.id, r.startedAt, r.file, r.dataset, r.output, r.strategy, r.workers, r.blockRows, r.rows, r.columns,
      r.inputDtype, r.outputDtype, r.wallMs, r.summary.rowsPerSecond, r.summary.mbPerSecond, speedup, efficiency,
      r.outputSha256, r.matchesOthers, r.compute ?? 'norm', r.expression ?? null,
    ];
    lines.push(values.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The full records (with every block's timings) plus the derived comparison numbers. */
export function runsToJson(runs: ComparedRun[]): string {
  const records: (RunRecord & { speedupVsInline: number | null; parallelEfficiency: number | null })[] = runs.map(
    ({ record, speedup, efficiency }) => ({ ...record, speedupVsInline: speedup, parallelEfficiency: efficiency }),
  );
  return JSON.stringify({ format: 'h5blocks-runs', version: 1, runs: records }, null, 2);
}
