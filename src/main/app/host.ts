import type { BrowseListing, OpenFile } from '@shared/api';

export interface SaveTarget {
  path: string;
  /** The user agreed to replace an existing file (a native dialog asked). */
  replace: boolean;
}

/**
 * What differs between the desktop app and `h5blocks serve`: how the user picks
 * files, and which paths a renderer may name. Everything else lives in AppService.
 */
export interface HostAdapter {
  kind: 'electron' | 'serve';
  electronVersion: string | null;
  /** The path the renderer asked to open, resolved, or a 'forbidden' error. `recent` is the recent list. */
  checkOpenPath(path: string, recent: readonly string[]): string;
  /** Whether a recent entry may be shown (serve hides files outside its roots). */
  mayList(path: string): boolean;
  /** The native Open dialog's choice, or null (cancelled, or no dialog in this host). */
  showOpenDialog(): Promise<string | null>;
  browse(folder: string | null): Promise<BrowseListing>;
  /**
   * Where Save As writes: asks the user (Electron) or checks the given path
   * (serve; `replace` is the user's consent to replace a file there); null when cancelled.
   */
  chooseSaveTarget(file: OpenFile, target: string | null, replace?: boolean): Promise<SaveTarget | null>;
  /**
   * Folders HDF5 may read in (serve): external links, external storage and
   * virtual dataset sources that lead elsewhere are refused. Undefined: no
   * confinement (the desktop app, where the inspector shows where links point).
   */
  confinedTo?: readonly string[];
  /** A file the user opened by any means; Electron then lets the renderer reopen it by path. */
  noteOpened?(path: string): void;
  recentChanged?(paths: readonly string[]): void;
}
