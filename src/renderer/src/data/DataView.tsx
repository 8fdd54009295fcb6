import '@h5web/app/styles.css';
import { App as H5WebApp, DataProvider } from '@h5web/app';
import { useMemo, useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import type { DatasetEntity, Entity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { useTheme } from '../app/theme';
import { complexParts } from '../h5web/entities';
import { H5BlocksProvider } from '../h5web/provider';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { formatBytes, formatInteger, formatShape } from '../format/units';
import { useSelectedObject } from '../workspace/workspace';
import { DatasetTable } from './DatasetTable';
import { LiveSwitch } from './LiveSwitch';
import { useLiveRefresh } from './useLiveRefresh';

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
  const large = entity.kind === 'dataset' ? firstViewValues(entity) > PLOT_WITHOUT_ASKING : false;
  return large && entity.kind === 'dataset'
    ? <LargeDataGate key={`${file.id}:${entity.path}:${file.beingWritten ? 'being-written' : file.sizeBytes}`} file={file} path={selected.path} dataset={entity} />
    : <H5WebData file={file} path={selected.path} />;
}

/**
 * Values h5web reads to draw a dataset's first view: all of a 1-D or 2-D
 * dataset, one 2-D slice of higher ones (its dimension mapper slices the rest).
 */
export function firstViewValues(dataset: DatasetEntity): number {
  const shape = dataset.shape ?? [];
  return shape.slice(-2).reduce((a, b) => a * b, 1);
}

/**
 * Up to this many values h5web plots as soon as a dataset is selected (well
 * under a second to fetch and draw). Beyond it the user asks first, so that
 * selecting a run's 5 M-row output never holds the page on their behalf.
 */
export const PLOT_WITHOUT_ASKING = 2_000_000;

function LargeDataGate({ file, path, dataset }: { file: OpenFile; path: string; dataset: DatasetEntity }) {
  const [confirmed, setConfirmed] = useState(false);
  if (confirmed) return <H5WebData file={file} path={path} />;
  const values = firstViewValues(dataset);
  return (
    <div className="data-view" data-testid="large-data-gate">
      <div className="data-header">
        <h2 className="object-title"><code>{dataset.path}</code></h2>
        <span className="muted small">{formatShape(dataset.shape)} · {dataset.dtype.description}</span>
      </div>
      <div className="callout">
        <p>Plotting reads {formatInteger(values)} values ({formatBytes(values * dataset.dtype.size)}) into this page, which takes a few seconds.</p>
        <div className="button-row">
          <button type="button" className="primary" onClick={() => setConfirmed(true)}>Plot {formatInteger(values)} values</button>
        </div>
      </div>
    </div>
  );
}

/** h5web's viewer for one file, opened at the object selected in h5blocks' tree. */
function H5WebData({ file, path }: { file: OpenFile; path: string }) {
  const { api } = useApi();
  const { theme } = useTheme();
  const live = useLiveRefresh(file, path);
  // A file being written grows all the time: its views read it again only at the Live switch's pace.
  const version = file.beingWritten || live.tick > 0 ? `live-${live.tick}` : file.sizeBytes;
  // One provider per file (and per size, which changes when a run adds an output), so h5web's caches last while the user moves around the file.
  const provider = useMemo(() => new H5BlocksProvider(api, file), [api, file.id, version]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <>
      {(file.beingWritten || live.on || live.tick > 0) && <LiveSwitch live={live} beingWritten={file.beingWritten === true} />}
      <div className="h5web-frame" data-testid="h5web-viewer" data-theme={theme} data-path={path}>
        <DataProvider api={provider}>
          {/* Keyed by path: h5web's App takes the path it opens at only when it mounts. */}
          <H5WebApp key={path} initialPath={path} sidebarOpen={false} disableDarkMode />
        </DataProvider>
      </div>
    </>
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
