import { useMemo, useState } from 'react';
import { niceTicks } from '../charts/niceTicks';
import { useElementWidth } from '../charts/useElementWidth';
import { formatDuration, formatInteger } from '../format/units';
import { blockDuration, histogram, type TimelineRun } from './model';

const MARGIN = { left: 50, right: 16, top: 16, bottom: 50 };
const BAR_COLOR = '#4e79a7';
/** A bin's share left empty between bars. */
const BAR_GAP = 0.04;
/** Room per character of an axis label at 12 px, a little over a digit's width, so shown labels never touch. */
const LABEL_CHAR_PX = 7;
/** jsdom lays nothing out: its tests still get every bar and label. */
const FALLBACK_WIDTH = 800;

/**
 * Block durations in equal-width bins, drawn as plain SVG. It mounts as a
 * finished run's details appear; ECharts took 40-50 ms there for the page's
 * first chart (compiling its axis layout on first use), this takes a few.
 * Hovering a bin names its range and count.
 */
export function DurationHistogram({ run, height }: { run: TimelineRun; height: number }) {
  const bins = useMemo(() => histogram(run.blocks.map(blockDuration)), [run.blocks]);
  const labels = useMemo(() => bins.counts.map((_, i) => `${formatDuration(bins.edges[i])}–${formatDuration(bins.edges[i + 1])}`), [bins]);
  const [box, width] = useElementWidth<HTMLDivElement>(FALLBACK_WIDTH);
  const [hovered, setHovered] = useState<number | null>(null);
  if (run.blocks.length === 0) return <p className="muted">No block has finished yet.</p>;

  const plotWidth = Math.max(1, width - MARGIN.left - MARGIN.right);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const bottom = MARGIN.top + plotHeight;
  const binWidth = plotWidth / bins.counts.length;
  const yTicks = countTicks(Math.max(...bins.counts));
  const yTop = yTicks[yTicks.length - 1];
  const toY = (count: number) => bottom - (count / yTop) * plotHeight;
  const longestLabel = labels.reduce((most, label) => Math.max(most, label.length), 0);
  const labelEvery = Math.max(1, Math.ceil((longestLabel * LABEL_CHAR_PX) / binWidth));

  const onMove = (event: React.MouseEvent<SVGSVGElement>) => {
    const x = event.clientX - event.currentTarget.getBoundingClientRect().left - MARGIN.left;
    const bin = Math.floor(x / binWidth);
    setHovered(bin >= 0 && bin < bins.counts.length ? bin : null);
  };

  return (
    <div ref={box} className="chart histogram" style={{ height, position: 'relative' }} data-testid="duration-histogram" role="img" aria-label="Histogram of block durations">
      {width > 0 && (
        <svg width={width} height={height} onMouseMove={onMove} onMouseLeave={() => setHovered(null)}>
          <g className="histogram-grid">
            {yTicks.map((tick) => <line key={tick} x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={toY(tick)} y2={toY(tick)} />)}
          </g>
          {hovered !== null && (
            <line className="histogram-pointer" x1={MARGIN.left + (hovered + 0.5) * binWidth} x2={MARGIN.left + (hovered + 0.5) * binWidth} y1={MARGIN.top} y2={bottom} />
          )}
          <g fill={BAR_COLOR}>
            {bins.counts.map((count, i) => (
              <rect key={i} x={MARGIN.left + (i + BAR_GAP / 2) * binWidth} width={binWidth * (1 - BAR_GAP)} y={toY(count)} height={bottom - toY(count)} />
            ))}
          </g>
          <g className="histogram-axis">
            <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={bottom + 0.5} y2={bottom + 0.5} />
            {bins.counts.map((_, i) => <line key={i} x1={MARGIN.left + i * binWidth} x2={MARGIN.left + i * binWidth} y1={bottom} y2={bottom + 5} />)}
            <line x1={MARGIN.left + plotWidth} x2={MARGIN.left + plotWidth} y1={bottom} y2={bottom + 5} />
          </g>
          <g className="histogram-labels">
            {yTicks.map((tick) => <text key={tick} x={MARGIN.left - 8} y={toY(tick)} textAnchor="end" dominantBaseline="middle">{formatInteger(tick)}</text>)}
            {labels.map((label, i) => i % labelEvery === 0 && (
              <text key={i} x={MARGIN.left + (i + 0.5) * binWidth} y={bottom + 16} textAnchor="middle">{label}</text>
            ))}
            <text x={MARGIN.left} y={MARGIN.top - 6} textAnchor="middle">blocks</text>
            <text x={MARGIN.left + plotWidth / 2} y={bottom + 38} textAnchor="middle">block duration</text>
          </g>
        </svg>
      )}
      {hovered !== null && (
        <div className="chart-tooltip" style={{ left: Math.min(MARGIN.left + (hovered + 1) * binWidth + 8, Math.max(0, width - 200)), top: MARGIN.top + plotHeight / 3 }}>
          {labels[hovered]}<br />{formatInteger(bins.counts[hovered])} block{bins.counts[hovered] === 1 ? '' : 's'}
        </div>
      )}
    </div>
  );
}

/** Whole-number ticks from 0 to at least `max` (a count axis has no half blocks). */
function countTicks(max: number): number[] {
  const ticks = niceTicks(0, Math.max(1, max), 4).filter(Number.isInteger);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  while (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}
