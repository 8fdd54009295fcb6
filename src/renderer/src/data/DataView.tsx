import '@h5web/app/styles.css';
import { App as H5WebApp, DataProvider } from '@h5web/app';
import { useMemo, useState } from 'react';
import type { OpenFile } from '@shared/api';
import type { DatasetEntity, Entity } from '@shared/entities';
import { useApi } from '../app/apiContext';
import { useTheme } from '../app/theme';
import { H5BlocksProvider } from '../h5web/provider';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { formatShape } from '../format/units';
import { useSelectedObject } from '../workspace/workspace';
import { DatasetTable } from './DatasetTable';
import { LiveSwitch } from './LiveSwitch';
import { useLiveRefresh, type LiveRefresh } from './useLiveRefresh';
import { firstView, h5webShows, sliceValues, VIEW_VALUE_LIMIT, type ViewKind } from './firstView';
import { ImageOverviewView, LineOverviewView, PointsView } from './OverviewViews';

export { h5webShows } from './firstView';

export function DataView() {
  const selected = useSelectedObject();
  if (!selected?.entity) return <ObjectStatus selected={selected} hint="Select a dataset in the tree to see its values." />;
  const { entity, file, generation } = selected;
  // Keyed by reload (another program changed the file), not by size: a file a SWMR writer grows keeps its views and Live switch.
  if (entity.kind === 'dataset') return <DatasetViews key={`${file.id}:${entity.path}:${generation}`} file={file} path={selected.path} dataset={entity} generation={generation} />;
  if (entity.kind === 'group' && !isNexus(entity)) {
    return <div className="empty-state" data-testid="group-hint"><p>{entity.path} is a {entity.kind}: it holds no values of its own. Select one of its datasets in the tree to see them.</p></div>;
  }
  return <LiveH5WebData file={file} path={selected.path} generation={generation} />;
}

/**
 * What the views read again at: the file's size (a run added an output), or,
 * for a file being written, only each Live refresh (it grows all the time).
 */
function dataVersion(file: OpenFile, live: LiveRefresh): string {
  return file.beingWritten || live.tick > 0 ? `live-${live.tick}` : String(file.sizeBytes);
}

function LiveControl({ file, live }: { file: OpenFile; live: LiveRefresh }) {
  return file.beingWritten || live.on || live.tick > 0 ? <LiveSwitch live={live} beingWritten={file.beingWritten === true} /> : null;
}

function LiveH5WebData({ file, path, generation }: { file: OpenFile; path: string; generation: number }) {
  const live = useLiveRefresh(file, path);
  return (
    <>
      <LiveControl file={file} live={live} />
      <H5WebData file={file} path={path} version={`${dataVersion(file, live)}:${generation}`} />
    </>
  );
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
function DatasetViews({ file, path, dataset, generation }: { file: OpenFile; path: string; dataset: DatasetEntity; generation: number }) {
  const first = useMemo(() => firstView(dataset), [dataset]);
  // Until the user picks a view, the first view follows the dataset: one a writer grows from empty becomes a line or points.
  const [picked, setView] = useState<ViewKind | null>(null);
  const live = useLiveRefresh(file, path);
  const version = `${dataVersion(file, live)}:${generation}`;
  if (first === 'h5web') {
    return (
      <>
        <LiveControl file={file} live={live} />
        <H5WebData file={file} path={path} version={version} />
      </>
    );
  }
  const choices: ViewKind[] = [first];
  if (first !== 'table') choices.push('table');
  if (first !== 'table' && h5webShows(dataset) && sliceValues(dataset) <= VIEW_VALUE_LIMIT) choices.push('h5web');
  const view = picked !== null && choices.includes(picked) ? picked : first;
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
      <LiveControl file={file} live={live} />
      {/* The version is a prop, not a key: a Live refresh reads again in place, keeping the user's range, index and scroll. */}
      {view === 'line' && <LineOverviewView fileId={file.id} dataset={dataset} version={version} />}
      {view === 'points' && <PointsView fileId={file.id} dataset={dataset} version={version} />}
      {view === 'image' && <ImageOverviewView fileId={file.id} dataset={dataset} version={version} />}
      {view === 'table' && <DatasetTable fileId={file.id} dataset={dataset} version={version} />}
      {view === 'h5web' && <H5WebData file={file} path={path} version={version} />}
    </div>
  );
}

/** h5web's viewer for one file, opened at the object selected in h5blocks' tree. */
function H5WebData({ file, path, version }: { file: OpenFile; path: string; version: string }) {
  const { api } = useApi();
  const { theme } = useTheme();
  // One provider per file and data version (see dataVersion; and per reload), so h5web's caches last while the user moves around the file and never outlive its contents.
  const provider = useMemo(() => new H5BlocksProvider(api, file), [api, file.id, version]); // eslint-disable-line react-hooks/exhaustive-deps
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
