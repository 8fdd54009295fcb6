import type { ReactElement } from 'react';
import type { EntityKind } from '@shared/entities';

const LABELS: Record<EntityKind, string> = {
  group: 'Group',
  dataset: 'Dataset',
  datatype: 'Named datatype',
  'soft-link': 'Soft link',
  'external-link': 'External link',
  'broken-link': 'Broken link',
  'user-defined-link': 'User-defined link',
};

export function kindLabel(kind: EntityKind): string {
  return LABELS[kind];
}

/** A 16-pixel glyph per object kind; the colour comes from the `icon-<kind>` class so both themes can tune it. */
export function EntityIcon({ kind, open = false }: { kind: EntityKind; open?: boolean }) {
  return (
    <svg className={`entity-icon icon-${kind}`} width="16" height="16" viewBox="0 0 16 16" role="img" aria-label={LABELS[kind]}>
      <title>{LABELS[kind]}</title>
      {ICONS[kind](open)}
    </svg>
  );
}

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.4, strokeLinejoin: 'round' as const, strokeLinecap: 'round' as const };

const ICONS: Record<EntityKind, (open: boolean) => ReactElement> = {
  group: (open) => open
    ? <path {...stroke} d="M1.5 4.5v8h11l2-5.5h-11l-2 5.5M1.5 4.5v-1.5h4l1.5 1.5h5v2" />
    : <path {...stroke} d="M1.5 3.5h4.5l1.5 1.5h7v8h-13z" />,
  dataset: () => (
    <g {...stroke}>
      <rect x="2" y="2.5" width="12" height="11" rx="1" />
      <path d="M2 6h12M2 9.5h12M6 2.5v11M10 2.5v11" />
    </g>
  ),
  datatype: () => (
    <g {...stroke}>
      <rect x="2" y="2" width="12" height="12" rx="2" />
      <path d="M5 5.5h6M8 5.5v6" />
    </g>
  ),
  'soft-link': () => (
    <g {...stroke}>
      <path d="M7 9a3 3 0 0 0 4.2 0l2-2a3 3 0 0 0-4.2-4.2l-.8.8" />
      <path d="M9 7a3 3 0 0 0-4.2 0l-2 2A3 3 0 0 0 7 13.2l.8-.8" />
    </g>
  ),
  'external-link': () => (
    <g {...stroke}>
      <path d="M12.5 9v4.5h-10v-10H7" />
      <path d="M9.5 2.5h4v4M13.5 2.5 7.5 8.5" />
    </g>
  ),
  'broken-link': () => (
    <g {...stroke}>
      <path d="M6.5 9.5 4.8 11.2a2.2 2.2 0 0 1-3-3L3.5 6.5" />
      <path d="M9.5 6.5l1.7-1.7a2.2 2.2 0 0 1 3 3L12.5 9.5" />
      <path d="M6 2v2M2 6h2M10 14v-2M14 10h-2" />
    </g>
  ),
  // A chain link with a question mark: a link of a class h5blocks does not know.
  'user-defined-link': () => (
    <g {...stroke}>
      <path d="M6.5 9.5 4.8 11.2a2.2 2.2 0 0 1-3-3L3.5 6.5" />
      <path d="M10 4.5a2 2 0 1 1 2.5 1.9v1.1M12.5 9.5v.5" />
    </g>
  ),
};

/** Folder and file glyphs for the file browser, drawn like the tree icons. */
export function FsIcon({ kind }: { kind: 'folder' | 'file' }) {
  return (
    <svg className={`entity-icon icon-fs-${kind}`} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {kind === 'folder'
        ? <path {...stroke} d="M1.5 3.5h4.5l1.5 1.5h7v8h-13z" />
        : <path {...stroke} d="M3.5 1.5h6l3 3v10h-9zM9.5 1.5v3h3" />}
    </svg>
  );
}
