import { join } from 'node:path';
import { JsonStore } from './jsonStore';

export const MAX_RECENT_FILES = 12;

/** The files the user opened, newest first, kept in recent.json in the user-data folder. */
export class RecentFiles {
  private readonly store: JsonStore<string[]>;
  private paths: string[];

  constructor(userDataDir: string, private readonly onSaveFailed: (error: unknown) => void = () => undefined) {
    this.store = new JsonStore(join(userDataDir, 'recent.json'), () => [], (data) =>
      Array.isArray(data) ? data.filter((item): item is string => typeof item === 'string') : undefined);
    this.paths = this.store.read().slice(0, MAX_RECENT_FILES);
  }

  list(): string[] {
    return [...this.paths];
  }

  includes(path: string): boolean {
    return this.paths.includes(path);
  }

  add(path: string): void {
    this.paths = [path, ...this.paths.filter((known) => known !== path)].slice(0, MAX_RECENT_FILES);
    try {
      this.store.write(this.paths);
    } catch (error) {
      this.onSaveFailed(error);
    }
  }
}
