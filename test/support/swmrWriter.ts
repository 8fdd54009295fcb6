import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot, systemPython } from './paths';

const writerScript = join(projectRoot, 'test/support/swmr_writer.py');

export interface SwmrWriter {
  child: ChildProcessWithoutNullStreams;
  /** Closes its standard input: it closes the file and exits. */
  stop(): Promise<void>;
  closed: Promise<void>;
}

/**
 * Starts Debian's h5py as a SWMR writer (swmr_writer.py: /data, N×2 float64,
 * ROWS rows appended every INTERVAL s, STEPS times or, with 0, until stopped;
 * with `signal`, also /signal, 1-D float64, grown by ROWS values each step)
 * and waits until its file is in SWMR mode. Kill what it returns in a test's cleanup.
 */
export async function startSwmrWriter(file: string, rowsPerStep: number, intervalS: number, steps = 0, options: { signal?: boolean } = {}): Promise<SwmrWriter> {
  const args = [writerScript, file, String(rowsPerStep), String(intervalS), String(steps), ...(options.signal ? ['signal'] : [])];
  const child = spawn(systemPython, args, { stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const closed = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}: ${err}`)))));
  closed.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited ${code} before it was ready: ${err}`)));
  });
  return { child, closed, stop: async () => { child.stdin.end(); await closed; } };
}
