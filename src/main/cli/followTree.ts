import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import { isBeingWrittenWithSwmr } from '../hdf5/files';
import type { IoThread } from '../io/ioThread';
import type { TreeNode } from '../io/protocol';

/** How often `tree --follow` looks at the file again. */
export const FOLLOW_INTERVAL_MS = 500;

type Shapes = Map<string, string>;

/** Every dataset of a tree with its shape in words ("140 × 2", "scalar", "null"). */
export function datasetShapes(node: TreeNode, into: Shapes = new Map()): Shapes {
  if (node.kind === 'dataset') into.set(String(node.path), shapeText(node.shape as number[] | null));
  for (const child of node.children ?? []) datasetShapes(child, into);
  return into;
}

function shapeText(shape: number[] | null): string {
  return shape === null ? 'null' : shape.length === 0 ? 'scalar' : shape.join(' × ');
}

/** One line per dataset whose shape changed, appeared or went away between two looks. */
export function shapeChanges(before: Shapes, after: Shapes): string[] {
  const lines: string[] = [];
  for (const [path, shape] of after) {
    const old = before.get(path);
    if (old === undefined) lines.push(`${path}: new dataset, ${shape}`);
    else if (old !== shape) lines.push(`${path}: ${old} -> ${shape}`);
  }
  for (const path of before.keys()) if (!after.has(path)) lines.push(`${path}: gone`);
  return lines;
}

/**
 * `tree --follow`: after the tree, looks at the file again every
 * FOLLOW_INTERVAL_MS (the I/O thread reopens it when its size or time
 * changed, which is how a SWMR reader sees what the writer flushed since) and
 * prints a line whenever a dataset's shape changes. It ends when the SWMR
 * writer closes the file (after a last look) or on Ctrl-C (the signal).
 */
export async function followTree(io: IoThread, file: string, first: TreeNode, signal: AbortSignal, print: (line: string) => void): Promise<void> {
  let shapes = datasetShapes(first);
  let wasWritten = first.beingWritten === true;
  while (!signal.aborted) {
    try {
      await sleep(FOLLOW_INTERVAL_MS, undefined, { signal });
    } catch {
      return; // Ctrl-C.
    }
    const writing = isBeingWrittenWithSwmr(file);
    let tree: TreeNode;
    try {
      tree = await io.call({ kind: 'tree', file }, { signal });
    } catch (error) {
      if (signal.aborted) return;
      // A writer that is not SWMR may leave the file unreadable for a moment: look again.
      if (!writing && !wasWritten) continue;
      throw error;
    }
    const now = datasetShapes(tree);
    for (const line of shapeChanges(shapes, now)) print(line);
    shapes = now;
    if (wasWritten && !writing) {
      print(`${basename(file)}: the writer closed the file`);
      return;
    }
    wasWritten ||= writing;
  }
}
