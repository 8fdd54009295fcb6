import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { systemPython } from './paths';

const execFileAsync = promisify(execFile);

// A real libhdf5 program beside h5blocks: Debian's h5py in a child process,
// which takes HDF5's file lock as any libhdf5 program does by default.

const HOLDER = `
import sys, h5py, numpy as np
path, mode = sys.argv[1], sys.argv[2]
f = h5py.File(path, mode)
print('open', flush=True)
for line in sys.stdin:
    command, _, name = line.strip().partition(' ')
    if command == 'write':
        f[name] = np.arange(10, dtype='i4')
        f.flush()
        print('wrote', flush=True)
    elif command == 'close':
        f.close()
        print('closed', flush=True)
        break
`;

export interface H5pyHolder {
  pid: number;
  /** Creates dataset `name` (0..9) and flushes; resolves when done. */
  write(name: string): Promise<void>;
  /** Closes the file and ends the process. */
  close(): Promise<void>;
  kill(): void;
}

/** A Python process that opens `file` with h5py in `mode` ('r', 'r+') and keeps it open until told. */
export async function holdWithH5py(file: string, mode: 'r' | 'r+', env: NodeJS.ProcessEnv = {}): Promise<H5pyHolder> {
  const child = spawn(systemPython, ['-c', HOLDER, file, mode], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = lineReader(child);
  const first = await lines.next();
  if (first !== 'open') throw new Error(`h5py could not open ${file} ('${mode}'): ${lines.stderr()}`);
  return {
    pid: child.pid!,
    async write(name) {
      child.stdin.write(`write ${name}\n`);
      const reply = await lines.next();
      if (reply !== 'wrote') throw new Error(`h5py could not write ${name}: ${lines.stderr()}`);
    },
    async close() {
      child.stdin.write('close\n');
      const reply = await lines.next();
      if (reply !== 'closed') throw new Error(`h5py could not close: ${lines.stderr()}`);
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

function lineReader(child: ChildProcessWithoutNullStreams) {
  let buffered = '';
  let errors = '';
  const waiting: ((line: string | undefined) => void)[] = [];
  const ready: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else ready.push(line);
    }
  });
  child.on('close', () => {
    for (const waiter of waiting.splice(0)) waiter(undefined);
  });
  return {
    next: () => new Promise<string | undefined>((resolve) => {
      if (ready.length > 0) resolve(ready.shift());
      else if (child.exitCode !== null) resolve(undefined);
      else waiting.push(resolve);
    }),
    stderr: () => errors.trim().split('\n').pop() ?? '',
  };
}

/** Runs a short h5py script on `file` (as sys.argv[1]); its stdout, or its last line of error. */
export async function h5pyScript(script: string, file: string, env: NodeJS.ProcessEnv = {}): Promise<{ ok: boolean; out: string; error: string }> {
  try {
    const { stdout } = await execFileAsync(systemPython, ['-c', `import sys, h5py, numpy as np\n${script}`, file], { env: { ...process.env, ...env } });
    return { ok: true, out: stdout.trim(), error: '' };
  } catch (failure) {
    const stderr = String((failure as { stderr?: string }).stderr ?? '');
    return { ok: false, out: '', error: stderr.trim().split('\n').pop() ?? '' };
  }
}

/** Whether h5py can open `file` in `mode` now, and libhdf5's complaint if not. */
export function h5pyOpens(file: string, mode: 'r' | 'r+', env: NodeJS.ProcessEnv = {}): Promise<{ ok: boolean; out: string; error: string }> {
  return h5pyScript(`h5py.File(sys.argv[1], '${mode}').close()`, file, env);
}

/** The names at the file's root and whether /distances holds the norms of /coords (float64 norms rounded, within 1 ulp). */
export async function contentsOf(file: string): Promise<{ names: string[]; distancesCorrect: boolean | null }> {
  const result = await h5pyScript(`
import json
with h5py.File(sys.argv[1], 'r') as f:
    names = sorted(f.keys())
    ok = None
    if 'distances' in f and 'coords' in f:
        c = f['coords'][:].astype('f8')
        d = f['distances'][:]
        want = np.sqrt((c * c).sum(axis=1)).astype(d.dtype)
        ok = bool(d.shape == want.shape and np.all(np.abs(d.astype('f8') - want.astype('f8')) <= np.spacing(np.abs(want)).astype('f8')))
    print(json.dumps({'names': names, 'ok': ok}))
`, file);
  if (!result.ok) throw new Error(`h5py cannot read ${file}: ${result.error}`);
  const parsed = JSON.parse(result.out) as { names: string[]; ok: boolean | null };
  return { names: parsed.names, distancesCorrect: parsed.ok };
}

/** h5dump's verdict on the whole file (headers only): whether it reads. */
export async function h5dumpReads(file: string): Promise<boolean> {
  try {
    await execFileAsync('h5dump', ['-H', file]);
    return true;
  } catch {
    return false;
  }
}
