// The Data tab's views of datasets too big (or too oddly shaped) for h5web's
// viewer to read whole: each draws an overview the main process computed
// (getOverview) with @h5web/lib's plots, and says what it shows.
import { getDomain, HeatmapVis, LineVis, ScatterVis, type Domain } from '@h5web/lib';
import ndarray from 'ndarray';
import { useMemo, useState, type ReactNode } from 'react';
import type { DatasetEntity } from '@shared/entities';
import type { Overview } from '@shared/overview';
import { useApi } from '../app/apiContext';
import { useTheme } from '../app/theme';
import { useElementWidth } from '../charts/useElementWidth';
import { formatInteger } from '../format/units';
import { useOverview, type OverviewState } from './useOverview';
import { canDrawPlots, maxTextureSide } from './firstView';
import { DatasetTable } from './DatasetTable';

type LineOverview = Extract<Overview, { kind: 'line' }>;
type PointsOverview = Extract<Overview, { kind: 'points' }>;
type ImageOverview = Extract<Overview, { kind: 'image' }>;

/** Bins of a line overview when the plot's width is not known yet. */
const DEFAULT_BINS = 1024;
/** Points drawn of a point set: enough to see its shape, few enough to draw at once. */
const SCATTER_POINTS = 50_000;
/** Heatmap sides beyond this are averaged down: more pixels than a screen shows gain nothing. */
const IMAGE_SIDE = 2048;

const FALLBACK_DOMAIN: Domain = [0, 1];

/** A vis area with the app's dark theme applied as h5web's own (inverted frame, plots' colours kept). */
function VisFrame({ children, testId }: { children: ReactNode; testId: string }) {
  const { theme } = useTheme();
  if (!canDrawPlots()) return <div className="vis-message" data-testid={`${testId}-unavailable`}><p className="muted">This browser cannot draw plots (it has no WebGL 2); the Table tab shows the values.</p></div>;
  return <div className="vis-frame" data-theme={theme} data-testid={testId}>{children}</div>;
}

/** Where the view would be: "Reading…", Cancel after a second, or what went wrong, in words. */
function ReadState<T extends Overview>({ state, cancel, retry, what }: { state: OverviewState<T>; cancel: () => void; retry: () => void; what: string }) {
  if (state.status === 'done') return null;
  if (state.status === 'failed') {
    return <div className="vis-message" role="alert" data-testid="view-error"><p className="inline-error">{state.error.message}</p><button type="button" onClick={retry}>Try again</button></div>;
  }
  if (state.status === 'cancelled') {
    return <div className="vis-message" data-testid="view-cancelled"><p className="muted">Reading {what} was cancelled.</p><button type="button" onClick={retry}>Read again</button></div>;
  }
  return (
    <div className="vis-message" data-testid="view-loading">
      <p className="muted">Reading {what}…</p>
      {state.slow && <button type="button" onClick={cancel}>Cancel</button>}
    </div>
  );
}

/**
 * A 1-D dataset (or a column) of any length as a line: the min and max of each
 * pixel-wide run of values, drawn min, max, min, max… which looks as the whole
 * line would. Zooming in reads again for the narrower range, down to the
 * values themselves.
 */
export function LineOverviewView({ fileId, dataset, version }: { fileId: string; dataset: DatasetEntity; version?: string }) {
  const { api } = useApi();
  const length = dataset.shape?.[0] ?? 0;
  // null: the whole dataset, however long it grows (a file being written); a range the user chose stays put.
  const [chosen, setChosen] = useState<[number, number] | null>(null);
  const [start, stop] = chosen ?? [0, length];
  const [frame, width] = useElementWidth<HTMLDivElement>(DEFAULT_BINS);
  const bins = Math.max(64, Math.min(4096, Math.round(width || DEFAULT_BINS)));
  const request = width > 0 || typeof ResizeObserver === 'undefined'
    ? { kind: 'line' as const, bins, start, ...(chosen ? { stop } : {}) }
    : null;
  const { state, cancel, retry } = useOverview<LineOverview>(api, fileId, dataset.path, request, version);
  const overview = state.status === 'done' ? state.value : null;

  const plot = useMemo(() => (overview ? linePoints(overview) : null), [overview]);
  const span = stop - start;
  const setRange = (range: [number, number]) => setChosen(range[0] === 0 && range[1] >= length ? null : range);
  const zoomTo = (from: number, to: number) => {
    const size = Math.max(2, Math.min(length, Math.round(to - from)));
    const first = Math.max(0, Math.min(length - size, Math.round(from)));
    setRange([first, first + size]);
  };
  const centre = start + span / 2;
  return (
    <div className="overview" data-testid="line-overview" data-range={`${start}-${stop}`} data-exact={overview ? String(overview.exact) : undefined}>
      <div className="vis-controls">
        <span className="muted small" data-testid="overview-caption">
          {overview ? lineCaption(overview) : `${formatInteger(length)} values`}
        </span>
        <span className="button-row">
          <button type="button" onClick={() => zoomTo(centre - span / 8, centre + span / 8)} disabled={span <= 2}>Zoom in</button>
          <button type="button" onClick={() => zoomTo(centre - span, centre + span)} disabled={span >= length}>Zoom out</button>
          <button type="button" onClick={() => zoomTo(start - span / 2, stop - span / 2)} disabled={start === 0} aria-label="Earlier values">←</button>
          <button type="button" onClick={() => zoomTo(start + span / 2, stop + span / 2)} disabled={stop >= length} aria-label="Later values">→</button>
          <button type="button" onClick={() => setChosen(null)} disabled={chosen === null}>Whole</button>
        </span>
        <label className="inline-field">from <input type="number" aria-label="First index" min={0} max={length - 1} value={start} onChange={(e) => zoomTo(Number(e.target.value), Number(e.target.value) + span)} /></label>
      </div>
      <div ref={frame} className="vis-area">
        <ReadState state={state} cancel={cancel} retry={retry} what={`${formatInteger(span)} values`} />
        {plot && (
          <VisFrame testId="line-plot">
            <LineVis
              dataArray={ndarray(plot.y)}
              domain={plot.domain}
              abscissaParams={{ value: plot.x, label: 'index' }}
              ordinateLabel={dataset.name}
              showGrid
            />
          </VisFrame>
        )}
      </div>
    </div>
  );
}

function linePoints(overview: LineOverview): { x: Float64Array; y: Float64Array; domain: Domain } {
  const { min, max, start, binWidth, exact } = overview;
  const bins = min.length;
  const x = new Float64Array(exact ? bins : 2 * bins);
  const y = new Float64Array(x.length);
  for (let i = 0; i < bins; i++) {
    if (exact) {
      x[i] = start + i;
      y[i] = min[i] as number;
    } else {
      x[2 * i] = start + i * binWidth;
      y[2 * i] = min[i] as number;
      x[2 * i + 1] = start + (i + 0.5) * binWidth;
      y[2 * i + 1] = max[i] as number;
    }
  }
  return { x, y, domain: getDomain(y) ?? FALLBACK_DOMAIN };
}

function lineCaption(overview: LineOverview): string {
  const { start, stop, length, exact, binWidth, min } = overview;
  const where = stop - start === length ? `all ${formatInteger(length)} values` : `values ${formatInteger(start)}–${formatInteger(stop - 1)} of ${formatInteger(length)}`;
  return exact ? `${where}, exact` : `${where}: min and max of each of ${formatInteger(min.length)} runs of ${formatInteger(Math.ceil(binWidth))}; zoom in for exact values`;
}

/** An N × 2 or N × 3 point set: a scatter of every step-th row (colour: the third column, or the row), and the first rows as a table. */
export function PointsView({ fileId, dataset, version }: { fileId: string; dataset: DatasetEntity; version?: string }) {
  const { api } = useApi();
  const { state, cancel, retry } = useOverview<PointsOverview>(api, fileId, dataset.path, { kind: 'points', maxPoints: SCATTER_POINTS }, version);
  const overview = state.status === 'done' ? state.value : null;
  const plot = useMemo(() => {
    if (!overview) return null;
    const { columns, sampled, values, step } = overview;
    const column = (c: number) => Float64Array.from({ length: sampled }, (_, i) => values[i * columns + c] as number);
    const colour = columns >= 3 ? column(2) : Float64Array.from({ length: sampled }, (_, i) => i * step);
    return { x: column(0), y: column(1), colour, domain: getDomain(colour) ?? FALLBACK_DOMAIN };
  }, [overview]);
  const rows = dataset.shape?.[0] ?? 0;
  const columns = dataset.shape?.[1] ?? 0;
  return (
    <div className="overview" data-testid="points-view">
      <div className="vis-controls">
        <span className="muted small" data-testid="overview-caption">
          {overview
            ? `${overview.step === 1 ? `all ${formatInteger(rows)} points` : `${formatInteger(overview.sampled)} of ${formatInteger(rows)} points (every ${formatInteger(overview.step)}th row)`} · x: column 0, y: column 1, colour: ${columns >= 3 ? 'column 2' : 'row index'}`
            : `${formatInteger(rows)} points`}
        </span>
      </div>
      <div className="vis-area">
        <ReadState state={state} cancel={cancel} retry={retry} what={`${formatInteger(rows)} points`} />
        {plot && (
          <VisFrame testId="scatter-plot">
            <ScatterVis
              abscissaParams={{ value: plot.x, label: 'column 0' }}
              ordinateParams={{ value: plot.y, label: 'column 1' }}
              dataArray={ndarray(plot.colour)}
              domain={plot.domain}
              size={overview && overview.sampled > 10_000 ? 3 : 6}
              showGrid
            />
          </VisFrame>
        )}
      </div>
      <h3 className="small-heading">First rows</h3>
      <DatasetTable fileId={fileId} dataset={dataset} height={220} version={version} />
    </div>
  );
}

/** An image (or one slice of a stack) averaged in blocks so that no side passes the GPU's limit or the size gate. */
export function ImageOverviewView({ fileId, dataset, version }: { fileId: string; dataset: DatasetEntity; version?: string }) {
  const { api } = useApi();
  const shape = dataset.shape ?? [];
  const leadingShape = shape.slice(0, -2);
  const [index, setIndex] = useState<number[]>(() => leadingShape.map(() => 0));
  const maxSide = Math.min(IMAGE_SIDE, maxTextureSide());
  const { state, cancel, retry } = useOverview<ImageOverview>(api, fileId, dataset.path, { kind: 'image', index, maxSide }, version);
  const overview = state.status === 'done' ? state.value : null;
  const plot = useMemo(() => {
    if (!overview) return null;
    const values = Float64Array.from(overview.values as number[]);
    const [rows, columns] = overview.shape;
    const edges = (n: number, size: number) => Float64Array.from({ length: n + 1 }, (_, i) => Math.min(size, i * overview.factor));
    return { values: ndarray(values, [rows, columns]), domain: getDomain(values) ?? FALLBACK_DOMAIN, x: edges(columns, overview.width), y: edges(rows, overview.height) };
  }, [overview]);
  const [height, width] = shape.slice(-2);
  return (
    <div className="overview" data-testid="image-overview">
      <div className="vis-controls">
        <span className="muted small" data-testid="overview-caption">
          {overview && overview.factor > 1
            ? `${formatInteger(height)} × ${formatInteger(width)} shown as ${formatInteger(overview.shape[0])} × ${formatInteger(overview.shape[1])}: each pixel the mean of ${overview.factor} × ${overview.factor} values`
            : `${formatInteger(height)} × ${formatInteger(width)}`}
        </span>
        {leadingShape.map((size, dim) => (
          <label key={dim} className="inline-field">
            dim {dim}
            <input
              type="number" min={0} max={size - 1} value={index[dim]} aria-label={`Index in dimension ${dim}`}
              onChange={(event) => {
                const value = Math.max(0, Math.min(size - 1, Math.floor(Number(event.target.value) || 0)));
                setIndex((all) => all.map((v, i) => (i === dim ? value : v)));
              }}
            />
            <span className="muted small">of {formatInteger(size)}</span>
          </label>
        ))}
      </div>
      <div className="vis-area">
        <ReadState state={state} cancel={cancel} retry={retry} what={`${formatInteger(height * width)} values`} />
        {plot && (
          <VisFrame testId="heatmap-plot">
            <HeatmapVis dataArray={plot.values} domain={plot.domain} abscissaParams={{ value: plot.x }} ordinateParams={{ value: plot.y }} aspect="auto" showGrid={false} />
          </VisFrame>
        )}
      </div>
    </div>
  );
}
