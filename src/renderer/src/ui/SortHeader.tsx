import type { ReactNode } from 'react';

/** A column header that sorts on click or Enter, announcing the order to screen readers. */
export function SortHeader({ label, sort, onSort, numeric = false, title }: {
  label: ReactNode;
  sort: 'ascending' | 'descending' | 'none';
  onSort: () => void;
  numeric?: boolean;
  title?: string;
}) {
  return (
    <th scope="col" aria-sort={sort} className={numeric ? 'numeric' : undefined} title={title}>
      <button type="button" className="sort-button" onClick={onSort}>
        {label}
        <span className="sort-mark" aria-hidden="true">{sort === 'ascending' ? '▲' : sort === 'descending' ? '▼' : ''}</span>
      </button>
    </th>
  );
}
