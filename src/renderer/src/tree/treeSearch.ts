import type { ChildSummary } from '../../../shared/entities';
import type { FileView } from '../workspace/workspace';

/** Every object the tree knows about so far: the children of each group that has been read. */
export function knownObjects(view: FileView): ChildSummary[] {
  const byPath = new Map<string, ChildSummary>();
  for (const entity of Object.values(view.entities)) {
    if (entity.kind !== 'group') continue;
    for (const child of entity.children) byPath.set(child.path, child);
  }
  return [...byPath.values()];
}

/** Case-insensitive match on the name or the full path; names that start with the query come first. */
export function searchObjects(objects: ChildSummary[], query: string): ChildSummary[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const rank = (object: ChildSummary) => {
    const name = object.name.toLowerCase();
    if (name === needle) return 0;
    if (name.startsWith(needle)) return 1;
    if (name.includes(needle)) return 2;
    return 3;
  };
  return objects
    .filter((object) => object.path.toLowerCase().includes(needle))
    .sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
