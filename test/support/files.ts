import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { INODE_LOCK_FOLDER } from '../../src/main/transaction/sidecarPaths';
import { corpusFile } from './paths';

const madeFolders: string[] = [];

/** A fresh folder for one test file's copies; removeTempFolders() deletes them all. */
export function makeTempFolder(label: string): string {
  const folder = mkdtempSync(join(tmpdir(), `h5blocks-test-${label}-`));
  madeFolders.push(folder);
  return folder;
}

export function removeTempFolders(): void {
  for (const folder of madeFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** A writable copy of a fixture file: runs never write into test/fixtures. */
export function copyCorpus(name: string, folder: string, as = name): string {
  const target = join(folder, as);
  copyFileSync(corpusFile(name), target);
  chmodSync(target, 0o644);
  return target;
}

export function copyFile(source: string, folder: string, as = basename(source)): string {
  const target = join(folder, as);
  copyFileSync(source, target);
  chmodSync(target, 0o644);
  return target;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What a run keeps beside the input while it lasts (its lock and write-ahead log, any other h5blocks file): all gone once it ends. */
export function runLeftoversBeside(file: string): string[] {
  const name = basename(file);
  return readdirSync(dirname(file)).filter((entry) => entry.startsWith(`.${name}.`) && entry.includes('h5blocks'));
}

/** A run's lock of the file's inode (and its half-made or claim files) in the shared lock folder: gone once it ends. */
export function inodeLockLeftovers(file: string): string[] {
  const { dev, ino } = statSync(file, { bigint: true });
  if (!existsSync(INODE_LOCK_FOLDER)) return [];
  return readdirSync(INODE_LOCK_FOLDER).filter((entry) => entry === `${dev}-${ino}.lock` || entry.startsWith(`${dev}-${ino}.lock.`));
}

/** Shard scratch folders (`h5blocks-run-<pid>-<start>-<runId>`) in a temp folder. */
export function scratchFoldersIn(folder: string, runId?: string): string[] {
  return readdirSync(folder).filter((entry) => entry.startsWith('h5blocks-run-') && (runId === undefined || entry.endsWith(`-${runId}`)));
}
