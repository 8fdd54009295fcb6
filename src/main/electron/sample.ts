import { chmodSync, constants, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_NAME = 'coords_1k.h5';

/**
 * A new user's first file: the seed's sample (1,000 × 2 float32 points in
 * /coords), copied into the user-data folder so runs write into the copy and
 * the app's own resource stays pristine. Returns the copy's path; an existing
 * copy (with the user's results in it) is never replaced.
 */
export function installSample(resourcesDir: string, userDataDir: string): string {
  const folder = join(userDataDir, 'samples');
  const target = join(folder, SAMPLE_NAME);
  if (existsSync(target)) return target;
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(resourcesDir, 'sample', SAMPLE_NAME), target, constants.COPYFILE_EXCL);
  // The resource may be read-only (installed apps); the copy must take the run's output.
  chmodSync(target, 0o644);
  return target;
}
