import '@h5web/app/styles.css';
import { App as H5WebApp, DataProvider } from '@h5web/app';
import { useMemo, useState } from 'react';
import type { OpenFile } from '../../../shared/api';
import type { DatasetEntity, Entity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { useTheme } from '../app/theme';
import { H5BlocksProvider } from '../h5web/provider';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { formatShape } from '../format/units';
import { useSelectedObject } from '../workspace/workspace';
import { DatasetTable } from './DatasetTable';
import { firstView, h5webShows, sliceValues, VIEW_VALUE_LIMIT, type ViewKind } from './firstView';
import { ImageOverviewView, LineOverviewView, PointsView } from './OverviewViews';

export { h5webShows } from './firstView';

export function DataView() {
  const selected = useSelectedObject();
  if (!selected?.entity) return <ObjectStatus selected={selected} hint="Select a dataset in the tree to see its values." />;
  const { entity, file } = selected;
  if (entity.kind === 'dataset') return <DatasetViews key={`${file.id}:${entity.path}:${file.sizeBytes}`} file={file} path={selected.path} dataset={entity} />;
  if (entity.kind === 'group' && !isNexus(entity)) {
    return <div className="empty-state" data-testid="group-hint"><p>{entity.path} is a {entity.kind}: it holds no values of its own. Select one of its datasets in the tree to see them.</p></div>;
  }
  return <H5WebData file={file} path={selected.path} />;
}

/** A NeXus group (NX_class) has plots of its own in h5web's viewer; other groups show nothing there. */
function isNexus(entity: Entity): boolean {
  return 'attributes' in entity && entity.attributes.some((attribute) => attribute.name === 'NX_class');
}

const VIEW_LABELS: Record<ViewKind, string> = { line: 'Line', points: 'Points', image: 'Image', table: 'Table', h5web: 'Plot' };

/**
 * One dataset: opened at the view its shape and size call for (firstView),
 * with its table and, within the size gate, h5web's full viewer a tab away.
 */
function DatasetViews({ file, path, dataset }: { file: OpenFile; path: string; dataset: DatasetEntity }) {
  const first = useMemo(() => firstView(dataset), [dataset]);
  const [view, setView] = useState<ViewKind>(first);
  if (first === 'h5web') return <H5WebData file={file} path={path} />;
  const choices: ViewKind[] = [first];
  if (first !== 'table') choices.push('table');
  if (first !== 'table' && h5webShows(dataset) && sliceValues(dataset) <= VIEW_VALUE_LIMIT) choices.push('h5web');
  return (
    <div className="data-view" data-testid="dataset-view" data-view={view} data-path={path}>
      <div className="data-header">
        <h2 className="object-title"><code>{dataset.path}</code></h2>
        <span className="muted small">{formatShape(dataset.shape)} · {dataset.dtype.description}</span>
        {choices.length > 1 && (
          <div className="view-tabs" role="tablist" aria-label="View">
            {choices.map((choice) => (
              <button key={choice} type="button" role="tab" aria-selected={view === choice} onClick={() => setView(choice)}>
                {choice === 'h5web' ? 'h5web viewer' : VIEW_LABELS[choice]}
              </button>
            ))}
          </div>
        )}
      </div>
      {view === 'line' && <LineOverviewView fileId={file.id} dataset={dataset} />}
      {view === 'points' && <PointsView fileId={file.id} dataset={dataset} />}
      {view === 'image' && <ImageOverviewView fileId={file.id} dataset={dataset} />}
      {view === 'table' && <DatasetTable fileId={file.id} dataset={dataset} />}
      {view === 'h5web' && <H5WebData file={file} path={path} />}
    </div>
  );
}

/** h5web's viewer for one file, opened at the object selected in h5blocks' tree. */
function H5WebData({ file, path }: { file: OpenFile; path: string }) {
  const { api } = useApi();
  const { theme } = useTheme();
  // One provider per file (and per size, which changes when a run adds an output), so h5web's caches last while the user moves around the file.
  const provider = useMemo(() => new H5BlocksProvider(api, file), [api, file.id, file.sizeBytes]); // eslint-disable-line react-hooks/exhaustive-deps
  // h5web reopens every dataset at the last view chosen anywhere (a 3-D stack as a line after a 1-D dataset): each object starts at its own primary view instead.
  useMemo(() => forgetPreferredVis(), [path]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="h5web-frame" data-testid="h5web-viewer" data-theme={theme} data-path={path}>
      <DataProvider api={provider}>
        {/* Keyed by path: h5web's App takes the path it opens at only when it mounts. */}
        <H5WebApp key={path} initialPath={path} sidebarOpen={false} disableDarkMode />
      </DataProvider>
    </div>
  );
}

function forgetPreferredVis(): void {
  try {
    window.localStorage.removeItem('h5web:preferredVis');
  } catch {
    // No storage (a sandboxed page): h5web has nothing remembered either.
  }
}
