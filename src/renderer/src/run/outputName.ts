// What a run's output may be called, said before the run starts, in one
// sentence: the engine would otherwise normalise `a/../x` to `/x` silently, or
// answer a group or the input itself with an error after the click.

import type { Entity } from '@shared/entities';
import { resolveOutputPath } from '../workspace/paths';

/**
 * Why `requested` cannot name the output of a run on `inputPath`, or null.
 * `existing` is what the file holds at the resolved path (null when nothing).
 * A new name typed in the collision dialog is a plain name (`plainName`): it
 * lands beside the taken one, so it may not contain `/`.
 */
export function outputNameProblem(inputPath: string, requested: string, existing: Entity | null, options: { plainName?: boolean } = {}): string | null {
  const name = requested.trim();
  if (options.plainName && name === '') return 'Type a name for the output.';
  const segments = name.split('/').filter((part) => part !== '');
  if (segments.some((part) => part === '..' || part === '.')) return `"${name}" contains "${segments.find((part) => part === '..' || part === '.')}"; give the output a plain name such as distances_2.`;
  if (options.plainName && name.includes('/')) return `"${name}" names a path; a new name is a plain name (no "/"), written beside the old output.`;
  const output = resolveOutputPath(inputPath, name);
  if (output === '/') return 'The output needs a name, not the root group.';
  if (output === inputPath) return `${output} is the input dataset; the output must be written under another name.`;
  if (existing?.kind === 'group') return `${output} is a group; the output must be a dataset, so choose a name that is not taken by a group.`;
  return null;
}
