import { basename } from 'node:path';
import type { Entity } from '../../shared/entities';
import { markOf } from '../hdf5/files';

/** How often `tree --follow` reads the file again. */
export const FOLLOW_POLL_MS = 1_000;

interface TreeNode {
  path?: string;
  kind?: string;
  shape?: number[] | null;
  children?: TreeNode[];
}

/**
 * `h5blocks tree FILE --follow`: after the tree, a line whenever a dataset's
 * shape changes (or a dataset appears or goes), read again every second, until
 * the signal aborts (Ctrl-C) or the writer that had the file open (a SWMR
 * writer appending, as its superblock's status flags say) closes it.
 */
export async function followTree(file: string, first: unknown, readTree: () => Promise<unknown>, write: (line: string) => void, signal: AbortSignal): Promise<void> {
  let shapes = datasetShapes(first);
  let writerSeen = markOf(file) !== undefined;
  while (!signal.aborted) {
    await pause(FOLLOW_POLL_MS, signal);
    if (signal.aborted) return;
    const mark = markOf(file);
    let tree: unknown;
    try {
      tree = await readTree();
    } catch (error) {
      if (signal.aborted) return;
      // Mid-write and unreadable for a moment: the next poll reads it again; a file that is gone ends the follow.
      if ((error as { code?: string }).code === 'not-found') throw error;
      continue;
    }
    const now = datasetShapes(tree);
    for (const [path, shape] of now) {
      const before = shapes.get(path);
      if (before === undefined) write(`${path}  new: ${shape}`);
      else if (before !== shape) write(`${path}  ${before} → ${shape}`);
    }
    for (const path of shapes.keys()) if (!now.has(path)) write(`${path}  removed`);
    shapes = now;
    if (mark !== undefined) writerSeen = true;
    else if (writerSeen) {
      write(`${basename(file)}: the writer closed the file`);
      return;
    }
  }
}

function datasetShapes(tree: unknown): Map<string, string> {
  const shapes = new Map<string, string>();
  const visit = (node: TreeNode) => {
    if (node.kind === 'dataset' && node.path) shapes.set(node.path, shapeText((node as Entity & TreeNode).shape));
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree as TreeNode);
  return shapes;
}

function shapeText(shape: number[] | null | undefined): string {
  if (shape === null || shape === undefined) return 'null';
  return shape.length === 0 ? 'scalar' : shape.join(' × ');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
