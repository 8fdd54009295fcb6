import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { niceTicks } from '../charts/niceTicks';
import { formatDuration } from '../format/units';
import type { Bar, LaneRow, PendingBar } from './model';
import { PHASE_COLORS } from './phases';

/**
 * The timeline drawn straight onto a 2-D canvas: thousands of bars cost a
 * couple of milliseconds to draw, where a chart library's scene graph takes
 * hundreds, and a live run redraws often. Wheel zooms around the pointer,
 * dragging pans, a double click shows the whole run again; hovering a bar
 * describes it.
 */
export function TimelineCanvas({ bars, pending = [], lanes, xMax, height, compact, ariaLabel, describe }: {
  bars: Bar[];
  /** A live run's work in progress, drawn hatched until its blocks report their phases. */
  pending?: PendingBar[];
  lanes: LaneRow[];
  xMax: number;
  height: number;
  compact: boolean;
  ariaLabel: string;
  /** The tooltip's HTML for a bar. */
  describe: (bar: Bar) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  // The time window on screen; null: the whole run, following a live run as it grows.
  const [view, setView] = useState<[number, number] | null>(null);
  const [tip, setTip] = useState<{ x: number; y: number; html: string } | null>(null);
  const drag = useRef<{ x: number; view: [number, number] } | null>(null);
  const margin = useMemo(() => ({ left: 84, right: 24, top: 10, bottom: compact ? 24 : 30 }), [compact]);
  const [t0, t1] = view ?? [0, xMax];
  const plotWidth = Math.max(1, width - margin.left - margin.right);
  const laneHeight = (height - margin.top - margin.bottom) / Math.max(1, lanes.length);
  const toX = useCallback((t: number) => margin.left + ((t - t0) / Math.max(1e-9, t1 - t0)) * plotWidth, [margin, t0, t1, plotWidth]);

  useEffect(() => {
    const div = box.current;
    if (!div) return undefined;
    setWidth(div.clientWidth);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => setWidth(div.clientWidth));
    observer.observe(div);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = canvas.current;
    const context = element && width > 0 ? canvasContext(element) : null;
    if (!element || !context) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(width * ratio);
    element.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const style = getComputedStyle(element);
    const text = style.color || '#333';
    context.font = `12px ${style.fontFamily || 'sans-serif'}`;
    context.textBaseline = 'middle';

    // Time axis: about one tick per 110 px, at 1, 2 or 5 × a power of ten.
    const ticks = niceTicks(t0, t1, Math.max(2, Math.floor(plotWidth / 110)));
    context.strokeStyle = text;
    context.globalAlpha = 0.15;
    context.beginPath();
    for (const tick of ticks) {
      const x = Math.round(toX(tick)) + 0.5;
      context.moveTo(x, margin.top);
      context.lineTo(x, height - margin.bottom);
    }
    context.stroke();
    context.globalAlpha = 1;
    context.fillStyle = text;
    context.textAlign = 'center';
    for (const tick of ticks) context.fillText(tick === 0 ? '0' : formatDuration(tick), toX(tick), height - margin.bottom + 12);
    context.textAlign = 'right';
    lanes.forEach((lane, i) => context.fillText(lane.label, margin.left - 8, margin.top + (i + 0.5) * laneHeight));

    context.save();
    context.beginPath();
    context.rect(margin.left, margin.top, plotWidth, height - margin.top - margin.bottom);
    context.clip();
    for (const bar of bars) {
      if (bar.end < t0 || bar.start > t1) continue;
      const x0 = toX(bar.start);
      const queue = bar.phase === 'queue';
      const middle = margin.top + (bar.lane + 0.5) * laneHeight;
      const top = queue ? middle + laneHeight * 0.32 : middle - laneHeight * 0.3;
      context.globalAlpha = queue ? 0.7 : bar.inProgress ? 0.6 : 1;
      context.fillStyle = PHASE_COLORS[bar.phase];
      const w = Math.max(1, toX(bar.end) - x0);
      const h = queue ? laneHeight * 0.12 : laneHeight * 0.6;
      context.fillRect(x0, top, w, h);
      if (bar.inProgress) {
        // Under way: its colour, lighter, with a dashed edge where it will end.
        context.globalAlpha = 1;
        context.strokeStyle = PHASE_COLORS[bar.phase];
        context.setLineDash([4, 3]);
        context.strokeRect(x0 + 0.5, top + 0.5, Math.max(0, w - 1), h - 1);
        context.setLineDash([]);
      }
    }
    context.strokeStyle = text;
    for (const bar of pending) {
      if (bar.end < t0 || bar.start > t1) continue;
      const x0 = toX(bar.start);
      const w = Math.max(1, toX(bar.end) - x0);
      const top = margin.top + (bar.lane + 0.5) * laneHeight - laneHeight * 0.3;
      const h = laneHeight * 0.6;
      context.globalAlpha = 0.12;
      context.fillStyle = text;
      context.fillRect(x0, top, w, h);
      context.globalAlpha = 0.45;
      context.setLineDash([4, 3]);
      context.strokeRect(x0 + 0.5, top + 0.5, Math.max(0, w - 1), h - 1);
      context.setLineDash([]);
    }
    context.globalAlpha = 1;
    context.restore();
  }, [bars, pending, lanes, width, height, t0, t1, toX, margin, plotWidth, laneHeight]);

  const timeAt = (clientX: number) => {
    const left = canvas.current?.getBoundingClientRect().left ?? 0;
    return t0 + ((clientX - left - margin.left) / plotWidth) * (t1 - t0);
  };

  // Zooming must keep the page from scrolling, which React's passive wheel listener cannot do.
  const zoom = useRef<(event: WheelEvent) => void>(() => undefined);
  zoom.current = (event: WheelEvent) => {
    event.preventDefault();
    const at = timeAt(event.clientX);
    const factor = event.deltaY > 0 ? 1.25 : 0.8;
    const span = Math.min(xMax, Math.max(xMax / 10_000, (t1 - t0) * factor));
    const start = Math.max(0, Math.min(xMax - span, at - ((at - t0) / (t1 - t0)) * span));
    setView(span >= xMax ? null : [start, start + span]);
  };
  useEffect(() => {
    const element = canvas.current;
    if (!element) return undefined;
    const listener = (event: WheelEvent) => zoom.current(event);
    element.addEventListener('wheel', listener, { passive: false });
    return () => element.removeEventListener('wheel', listener);
  }, []);

  const onMove = (event: React.MouseEvent) => {
    const rect = canvas.current?.getBoundingClientRect();
    if (!rect) return;
    if (drag.current) {
      const [s0, s1] = drag.current.view;
      const shift = ((event.clientX - drag.current.x) / plotWidth) * (s1 - s0);
      const start = Math.max(0, Math.min(xMax - (s1 - s0), s0 - shift));
      setView([start, start + (s1 - s0)]);
      return;
    }
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const lane = Math.floor((y - margin.top) / laneHeight);
    const time = timeAt(event.clientX);
    // A bar at least 3 px wide on screen around the pointer, so thin bars can be hovered too.
    const slack = (3 / plotWidth) * (t1 - t0);
    const hit = bars.find((bar) => bar.lane === lane && bar.start - slack <= time && time <= bar.end + slack && (bar.phase === 'queue') === (y - margin.top - lane * laneHeight > laneHeight * 0.8));
    setTip(hit ? { x, y, html: describe(hit) } : null);
  };

  return (
    <div ref={box} className="chart timeline-canvas" style={{ height, position: 'relative' }} role="img" aria-label={ariaLabel}>
      <canvas
        ref={canvas} style={{ width: '100%', height }}
        onMouseDown={(event) => (drag.current = { x: event.clientX, view: [t0, t1] })}
        onMouseUp={() => (drag.current = null)}
        onMouseLeave={() => {
          drag.current = null;
          setTip(null);
        }}
        onMouseMove={onMove}
        onDoubleClick={() => setView(null)}
      />
      {tip && (
        <div className="chart-tooltip" style={{ left: Math.min(tip.x + 12, Math.max(0, width - 280)), top: tip.y + 12 }} dangerouslySetInnerHTML={{ __html: tip.html }} />
      )}
    </div>
  );
}

let canvasWorks: boolean | undefined;
/** The canvas's 2-D context, or null where there is none (jsdom, locked-down browsers). */
function canvasContext(element: HTMLCanvasElement): CanvasRenderingContext2D | null {
  if (canvasWorks === false) return null;
  try {
    const context = element.getContext('2d');
    canvasWorks = context !== null;
    return context;
  } catch {
    canvasWorks = false;
    return null;
  }
}
