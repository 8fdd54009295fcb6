import { useState } from 'react';

export type SortDirection = 'ascending' | 'descending';

/** Click a column once to sort ascending, again to flip; values compare as numbers or text. */
export function useSort<K extends string>(initial: K, initialDirection: SortDirection = 'ascending') {
  const [key, setKey] = useState<K>(initial);
  const [direction, setDirection] = useState<SortDirection>(initialDirection);
  function toggle(next: K) {
    if (next === key) setDirection((d) => (d === 'ascending' ? 'descending' : 'ascending'));
    else {
      setKey(next);
      setDirection('ascending');
    }
  }
  function ariaSort(column: K): 'ascending' | 'descending' | 'none' {
    return column === key ? direction : 'none';
  }
  return { key, direction, toggle, ariaSort };
}

export function sortBy<T>(items: T[], value: (item: T) => number | string | null, direction: SortDirection): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    // Missing values sort last either way.
    if (x === null) return y === null ? 0 : 1;
    if (y === null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign;
  });
}
