import type { OpenFile } from '@shared/api';

/** How often open files are checked for a SWMR writer starting, growing the file or closing it. */
export const SWMR_WATCH_MS = 1_000;

/**
 * Tells the renderer (a 'files' event) when an open file starts or stops being
 * written by a SWMR writer, and while it is written, when it grows: the
 * explorer's "being written (SWMR)" mark and the Live switch follow that.
 * Reading a superblock's few bytes a second per open file costs nothing.
 */
export class SwmrWatch {
  private readonly timer: NodeJS.Timeout;
  private last = '';

  constructor(list: () => OpenFile[], announce: () => void, intervalMs = SWMR_WATCH_MS) {
    this.timer = setInterval(() => {
      const now = signature(list());
      if (now !== this.last) {
        const changed = this.last !== '' || now !== '';
        this.last = now;
        if (changed) announce();
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function signature(files: OpenFile[]): string {
  return files.filter((file) => file.beingWritten).map((file) => `${file.id}:${file.sizeBytes}`).join(',');
}
