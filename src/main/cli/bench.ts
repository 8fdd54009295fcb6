export interface BenchOptions { rows: number; baselineRows: number; json?: boolean; signal: AbortSignal }
export async function runBench(_options: BenchOptions): Promise<void> {
  throw new Error('bench: not implemented yet');
}
