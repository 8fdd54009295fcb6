import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RunResult, Strategy } from '@shared/run';
import { firstLine } from '@shared/errors';
import { projectFile } from './projectFiles';
import type { BenchInput, MemoryRow } from './results';
import type { ScratchFolder } from './scratchFolder';

export const MEMORY_TARGET_MB = 1024;
const SAMPLE_EVERY_MS = 20;

/**
 * Runs `h5blocks run` on a copy of the input in a child process, as a user
 * would, and reports the peak resident memory of that whole process (main
 * thread, workers and their wasm heaps). The kernel keeps the peak itself
 * (VmHWM), so sampling only has to catch the process before it exits.
 */
export async function measurePeakRss(input: BenchInput, strategy: Strategy, workers: number, scratch: ScratchFolder, signal: AbortSignal): Promise<MemoryRow> {
  signal.throwIfAborted();
  const name = `${input.id}.memory.h5`;
  const copy = scratch.copy(input.path, name);
  try {
    const child = spawn(process.execPath, [
      projectFile('bin/h5blocks.js'), 'run', copy, '--dataset', '/coords', '--strategy', strategy,
      '--workers', String(workers), '--output', '/distances', '--overwrite', '--json',
    ], { signal, killSignal: 'SIGTERM', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    let peakKb: number | null = null;
    const sample = () => {
      const kb = child.pid === undefined ? null : highWaterMarkKb(child.pid);
      if (kb !== null) peakKb = Math.max(peakKb ?? 0, kb);
    };
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => clearInterval(sampler));
    signal.throwIfAborted();
    if (exitCode !== 0) throw new Error(`h5blocks run (${strategy}, ${workers} workers) on ${input.id} failed: ${firstLine(stderr || `exit code ${exitCode}`)}`);
    const result = JSON.parse(stdout) as RunResult;
    const peakRssMb = peakKb === null ? null : (peakKb * 1024) / 1e6;
    return {
      input: input.id, inputLabel: input.label, rows: result.rows, strategy, workers, blockRows: result.blockRows, wallSeconds: result.wallMs / 1000,
      peakRssMb, targetMb: MEMORY_TARGET_MB,
      status: peakRssMb === null ? 'N/A' : peakRssMb < MEMORY_TARGET_MB ? 'PASS' : 'FAIL',
    };
  } finally {
    scratch.discard(name);
  }
}

/** VmHWM (peak resident set) in kB, or null once the process is gone or where /proc does not exist. */
function highWaterMarkKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
