import { readFileSync } from 'node:fs';

/**
 * Who owns a lock, a log or a scratch folder: a pid alone is not enough, since
 * pids are reused, so the process's start time (Linux: clock ticks since boot,
 * field 22 of /proc/PID/stat) and the boot it started in come with it.
 */
export interface ProcessIdentity {
  pid: number;
  /** Empty where /proc is not available. */
  start: string;
  boot: string;
}

let self: ProcessIdentity | undefined;

export function thisProcess(): ProcessIdentity {
  self ??= { pid: process.pid, start: startTimeOf(process.pid) ?? '', boot: bootId() };
  return self;
}

/** Whether the process that had this identity is still running (and is the same process). */
export function isRunning(owner: ProcessIdentity): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  const me = thisProcess();
  if (owner.boot && me.boot && owner.boot !== me.boot) return false;
  if (!pidExists(owner.pid)) return false;
  if (!owner.start) return true;
  const start = startTimeOf(owner.pid);
  // Without /proc for that pid there is nothing better to go on than the pid.
  return start === undefined || start === owner.start;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
