import { useId, useState } from 'react';
import type { DatasetEntity } from '@shared/entities';
import { toErrorInfo } from '@shared/errors';
import type { Strategy } from '@shared/run';
import { DEFAULT_BINS, MAX_BINS, type GroupFigures, type StatsResult } from '@shared/stats';
import { useApi } from '../app/apiContext';
import { formatInteger, formatNumber } from '../format/units';

/**
 * Whole-dataset statistics (`h5blocks stats`) in the Run tab: bins and an
 * optional range, computed with the strategy and workers chosen above, then a
 * table of the figures and a histogram of one column (or of every value).
 */
export function StatsSection({ fileId, dataset, strategy, workers }: { fileId: string; dataset: DatasetEntity; strategy: Strategy; workers: number }) {
  const { api } = useApi();
  const ids = { bins: useId(), lo: useId(), hi: useId() };
  const [binsText, setBinsText] = useState(String(DEFAULT_BINS));
  const [loText, setLoText] = useState('');
  const [hiText, setHiText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<StatsResult | null>(null);
  const [shown, setShown] = useState(0);

  const bins = Number(binsText);
  const binsError = !Number.isInteger(bins) || bins < 1 || bins > MAX_BINS ? `A whole number of bins from 1 to ${formatInteger(MAX_BINS)}.` : null;
  const ranged = loText.trim() !== '' || hiText.trim() !== '';
  const lo = Number(loText);
  const hi = Number(hiText);
  const rangeError = ranged && !(loText.trim() !== '' && hiText.trim() !== '' && Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)
    ? 'Two finite numbers with low < high, or both blank for the data\'s [min, max] (a second pass).' : null;
  // vds maps per-row values; statistics are a few figures, so they run with pool instead.
  const used: Exclude<Strategy, 'vds'> = strategy === 'vds' ? 'pool' : strategy;

  async function compute() {
    setBusy(true);
    setError(null);
    try {
      const figures = await api.computeStats({
        fileId, dataset: dataset.path, strategy: used, workers: used === 'inline' ? 1 : workers, bins,
        ...(ranged ? { range: [lo, hi] as [number, number] } : {}), overwrite: true,
      });
      setResult(figures);
      setShown(0);
    } catch (failure) {
      setError(toErrorInfo(failure).message);
    } finally {
      setBusy(false);
    }
  }

  const group = result?.groups[Math.min(shown, (result?.groups.length ?? 1) - 1)];
  return (
    <section className="stats-section" data-testid="stats-section">
      <h3>Statistics of the whole dataset</h3>
      <p className="muted small">
        Count, NaN count, min, max, mean, standard deviation and a histogram, {dataset.shape?.length === 2 ? 'per column' : 'over every value'};
        each block's partial figures are computed where it is read ({used}) and merged in block order, then written as a group beside the input.
      </p>
      <div className="form-grid">
        <label htmlFor={ids.bins}>Bins</label>
        <div>
          <input id={ids.bins} type="number" min={1} max={MAX_BINS} value={binsText} onChange={(event) => setBinsText(event.target.value)} aria-invalid={Boolean(binsError)} />
          {binsError && <span className="field-error">{binsError}</span>}
        </div>
        <label htmlFor={ids.lo}>Range</label>
        <div>
          <input id={ids.lo} aria-label="Range low" value={loText} placeholder="min" onChange={(event) => setLoText(event.target.value)} size={10} />
          {' to '}
          <input id={ids.hi} aria-label="Range high" value={hiText} placeholder="max" onChange={(event) => setHiText(event.target.value)} size={10} />
          <span className={rangeError ? 'field-error block' : 'muted small block'}>{rangeError ?? (ranged ? 'One pass over the data.' : 'The data\'s [min, max]: a second pass over the data.')}</span>
        </div>
      </div>
      <div className="button-row">
        <button type="button" onClick={() => void compute()} disabled={busy || Boolean(binsError || rangeError)} data-testid="stats-button">
          {busy ? 'Computing…' : 'Compute statistics'}
        </button>
      </div>
      {error && <p className="field-error" data-testid="stats-error">{error}</p>}
      {result && (
        <>
          <p className="muted small" data-testid="stats-summary">
            Written to <code>{result.output}</code>: {result.strategy}, {result.workers} worker{result.workers === 1 ? '' : 's'}, blocks of {formatInteger(result.blockRows)} rows, {result.passes} pass{result.passes === 1 ? '' : 'es'}.
          </p>
          <table className="stats-table" data-testid="stats-table">
            <thead>
              <tr><th>{result.perColumn ? 'Column' : ''}</th><th>Count</th><th>NaN</th><th>Min</th><th>Max</th><th>Mean</th><th>Std</th></tr>
            </thead>
            <tbody>
              {result.groups.map((g, i) => (
                <tr key={i} className={i === shown ? 'selected' : undefined} onClick={() => setShown(i)}>
                  <td>{g.column === undefined ? 'all values' : g.column}</td>
                  <td className="numeric">{formatInteger(g.count)}</td>
                  <td className="numeric">{formatInteger(g.nanCount)}</td>
                  <td className="numeric">{figure(g.min)}</td>
                  <td className="numeric">{figure(g.max)}</td>
                  <td className="numeric">{figure(g.mean)}</td>
                  <td className="numeric">{figure(g.std)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {group && <Histogram group={group} />}
        </>
      )}
    </section>
  );
}

function figure(value: number | null): string {
  return value === null ? '—' : formatNumber(value);
}

const WIDTH = 480;
const HEIGHT = 140;

/** Plain SVG bars (as the Timeline's duration histogram): a few dozen elements, drawn at once. */
function Histogram({ group }: { group: GroupFigures }) {
  const label = group.column === undefined ? 'every value' : `column ${group.column}`;
  if (!group.histogram) return <p className="muted small" data-testid="stats-no-histogram">No histogram of {label}: {group.noHistogram}.</p>;
  const { counts, edges } = group.histogram;
  const top = Math.max(1, ...counts);
  const width = WIDTH / counts.length;
  return (
    <figure className="stats-histogram">
      <svg width={WIDTH} height={HEIGHT + 18} role="img" aria-label={`Histogram of ${label}: ${counts.length} bins from ${edges[0]} to ${edges[edges.length - 1]}`} data-testid="stats-histogram">
        {counts.map((count, i) => {
          const height = (count / top) * HEIGHT;
          return (
            <rect key={i} x={i * width} y={HEIGHT - height} width={Math.max(1, width - 1)} height={height} className="stats-bar" data-count={count}>
              <title>{`[${formatNumber(edges[i])}, ${formatNumber(edges[i + 1])}${i === counts.length - 1 ? ']' : ')'}: ${formatInteger(count)}`}</title>
            </rect>
          );
        })}
        <text x={0} y={HEIGHT + 14} className="stats-axis">{formatNumber(edges[0])}</text>
        <text x={WIDTH} y={HEIGHT + 14} textAnchor="end" className="stats-axis">{formatNumber(edges[edges.length - 1])}</text>
      </svg>
      <figcaption className="muted small">Histogram of {label}: {counts.length} bins, the tallest {formatInteger(top)}.</figcaption>
    </figure>
  );
}
