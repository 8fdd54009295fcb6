import type { SelectedObject } from '../workspace/workspace';

/** What a tab shows before it has an object: a hint, a spinner line, or the one-line reason it failed. */
export function ObjectStatus({ selected, hint = 'Select an object in the tree on the left.' }: { selected: SelectedObject | null; hint?: string }) {
  if (!selected) return <div className="empty-state"><p>{hint}</p></div>;
  if (selected.error) {
    return (
      <div className="empty-state">
        <p className="inline-error" role="alert" data-testid="object-error">{selected.error.message}</p>
      </div>
    );
  }
  return <div className="empty-state"><p className="muted">Loading {selected.path}…</p></div>;
}
