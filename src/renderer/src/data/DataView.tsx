import { useState } from 'react';
import type { DatasetEntity } from '../../../shared/entities';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { useSelectedObject } from '../workspace/workspace';
import { formatShape } from '../format/units';
import { DatasetTable } from './DatasetTable';
import { HeatmapPlot } from './HeatmapPlot';
import { LinePlot } from './LinePlot';
import { ScatterPlot } from './ScatterPlot';

type ViewMode = 'table' | 'line' | 'heatmap' | 'scatter';

const MODE_LABELS: Record<ViewMode, string> = { table: 'Table', line: 'Line', heatmap: 'Heatmap', scatter: 'Scatter' };

/** Which views suit a dataset: every dataset has a table; plots need numbers of the right shape. */
export function viewModes(dataset: DatasetEntity): ViewMode[] {
  const numeric = dataset.dtype.class === 'integer' || dataset.dtype.class === 'float';
  const shape = dataset.shape ?? [];
  const hasValues = shape.length > 0 && shape.every((n) => n > 0);
  const modes: ViewMode[] = ['table'];
  if (!numeric || !hasValues) return modes;
  if (shape.length === 1) modes.push('line');
  if (shape.length === 2) modes.push('heatmap');
  if (shape.length === 2 && shape[1] === 2) modes.push('scatter');
  return modes;
}

function defaultMode(modes: ViewMode[]): ViewMode {
  return modes.includes('line') ? 'line' : 'table';
}

export function DataView() {
  const selected = useSelectedObject();
  if (!selected?.entity) return <ObjectStatus selected={selected} hint="Select a dataset in the tree to see its values." />;
  if (selected.entity.kind !== 'dataset') {
    return <div className="empty-state"><p className="muted">{selected.entity.path} is not a dataset. Select a dataset to see its values.</p></div>;
  }
  // Keyed by file and path: another dataset starts with its own default view.
  return <DatasetData key={`${selected.file.id}:${selected.path}`} fileId={selected.file.id} dataset={selected.entity} />;
}

function DatasetData({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  const modes = viewModes(dataset);
  const [mode, setMode] = useState<ViewMode>(() => defaultMode(modes));
  return (
    <div className="data-view">
      <div className="data-header">
        <h2 className="object-title"><code>{dataset.path}</code></h2>
        <span className="muted small">{formatShape(dataset.shape)} · {dataset.dtype.description}</span>
        {modes.length > 1 && <div className="segmented" role="radiogroup" aria-label="View">
          {modes.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={mode === m}
              className={mode === m ? 'active' : ''}
              onClick={() => setMode(m)}
            >
              {MODE_LABELS[m]}
            </button>
          ))}
        </div>}
      </div>
      {mode === 'table' && <DatasetTable fileId={fileId} dataset={dataset} />}
      {mode === 'line' && <LinePlot fileId={fileId} dataset={dataset} />}
      {mode === 'heatmap' && <HeatmapPlot fileId={fileId} dataset={dataset} />}
      {mode === 'scatter' && <ScatterPlot fileId={fileId} dataset={dataset} />}
    </div>
  );
}
