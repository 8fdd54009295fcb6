import { closeSync, copyFileSync, constants, fsyncSync, mkdtempSync, openSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The bench's private temp folder. It holds gigabytes at full size, so it is
 * removed however the bench ends: normally, on an error, on a first Ctrl-C
 * (the run is aborted and unwinds) and on a second one (the CLI exits at
 * once, which still runs 'exit' listeners).
 */
export class ScratchFolder {
  readonly path: string;
  private readonly removeOnExit = () => this.remove();

  constructor(prefix = 'h5blocks-bench-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
    process.on('exit', this.removeOnExit);
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /**
   * A private copy of `source` to run on (a reflink where the file system has
   * them); never replaces a file. Synced before it is used: a user's file is
   * on disk already, and a run's syncs must not pay for writing out the copy.
   */
  copy(source: string, name: string): string {
    const target = this.file(name);
    copyFileSync(source, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    const fd = openSync(target, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return target;
  }

  discard(name: string): void {
    try {
      unlinkSync(this.file(name));
    } catch {
      // Never made (the step failed before creating it) or already gone.
    }
  }

  remove(): void {
    process.off('exit', this.removeOnExit);
    rmSync(this.path, { recursive: true, force: true });
  }
}
