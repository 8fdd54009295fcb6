import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * One JSON document in the user-data folder. Writes go to a temporary file that
 * is renamed into place, so a crash never leaves half a document. A document
 * that cannot be read back (hand-edited, from a future version) is moved aside,
 * not overwritten, so nothing the user had is lost.
 */
export class JsonStore<T> {
  constructor(
    readonly path: string,
    private readonly fallback: () => T,
    private readonly accept: (data: unknown) => T | undefined,
  ) {}

  read(): T {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return this.fallback();
    }
    let accepted: T | undefined;
    try {
      accepted = this.accept(JSON.parse(text));
    } catch {
      accepted = undefined;
    }
    if (accepted !== undefined) return accepted;
    this.moveAside();
    return this.fallback();
  }

  write(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(temporary, `${JSON.stringify(value, null, 1)}\n`);
      renameSync(temporary, this.path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never written.
      }
      throw error;
    }
  }

  private moveAside(): void {
    try {
      renameSync(this.path, `${this.path}.unreadable-${Date.now()}`);
    } catch {
      // Gone meanwhile: nothing to keep.
    }
  }
}
