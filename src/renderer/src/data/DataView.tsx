import '@h5web/app/styles.css';
import { App as H5WebApp, DataProvider } from '@h5web/app';
import { useMemo } from 'react';
import type { OpenFile } from '../../../shared/api';
import type { DatasetEntity, Entity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { useTheme } from '../app/theme';
import { complexParts } from '../h5web/entities';
import { H5BlocksProvider } from '../h5web/provider';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { formatShape } from '../format/units';
import { useSelectedObject } from '../workspace/workspace';
import { DatasetTable } from './DatasetTable';

/**
 * Element types h5web draws from the values this API sends: numbers (matrix,
 * line, heatmap, RGB), strings (matrix), complex pairs. Compounds, sequences,
 * references and the like arrive as display text, which h5blocks' own table shows.
 */
export function h5webShows(entity: Entity): boolean {
  if (entity.kind !== 'dataset') return true;
  const { dtype } = entity;
  return ['integer', 'float', 'enum', 'string'].includes(dtype.class) || complexParts(dtype) !== undefined;
}

export function DataView() {
  const selected = useSelectedObject();
  if (!selected?.entity) return <ObjectStatus selected={selected} hint="Select a dataset in the tree to see its values." />;
  const { entity, file } = selected;
  if (entity.kind === 'dataset' && !h5webShows(entity)) return <TextData key={`${file.id}:${entity.path}`} fileId={file.id} dataset={entity} />;
  return <H5WebData file={file} path={selected.path} />;
}

/** h5web's viewer for one file, opened at the object selected in h5blocks' tree. */
function H5WebData({ file, path }: { file: OpenFile; path: string }) {
  const { api } = useApi();
  const { theme } = useTheme();
  // One provider per file (and per size, which changes when a run adds an output), so h5web's caches last while the user moves around the file.
  const provider = useMemo(() => new H5BlocksProvider(api, file), [api, file.id, file.sizeBytes]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="h5web-frame" data-testid="h5web-viewer" data-theme={theme} data-path={path}>
      <DataProvider api={provider}>
        {/* Keyed by path: h5web's App takes the path it opens at only when it mounts. */}
        <H5WebApp key={path} initialPath={path} sidebarOpen={false} disableDarkMode />
      </DataProvider>
    </div>
  );
}

function TextData({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  return (
    <div className="data-view">
      <div className="data-header">
        <h2 className="object-title"><code>{dataset.path}</code></h2>
        <span className="muted small">{formatShape(dataset.shape)} · {dataset.dtype.description}</span>
      </div>
      <DatasetTable fileId={fileId} dataset={dataset} />
    </div>
  );
}
