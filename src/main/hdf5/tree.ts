import { getEntity } from './entities';
import type { H5File } from './h5wasm';

/** The whole tree below `path`: every entity, groups with their children described in full. */
export async function readTree(file: H5File, path = '/'): Promise<Record<string, unknown>> {
  const entity = await getEntity(file, path);
  if (entity.kind !== 'group') return { ...entity };
  const children = [];
  for (const child of entity.children) children.push(await readTree(file, child.path));
  return { ...entity, children };
}
