import { useEffect, useRef } from 'react';
import { useTheme } from '../app/theme';
import { echarts, type EChartsOption } from './echarts';

export interface EChartProps {
  option: EChartsOption;
  /** SVG keeps shapes and labels in the DOM (timelines, small charts); canvas is faster for many points. */
  renderer?: 'svg' | 'canvas';
  height: number;
  testId?: string;
  ariaLabel: string;
  /** Replace the whole option instead of merging into the previous one (needed when series disappear). */
  notMerge?: boolean;
  onClick?: (params: { dataIndex: number; seriesIndex?: number; data: unknown }) => void;
}

// Fallback size when the element has no layout (tests in jsdom): ECharts cannot draw into 0×0.
const FALLBACK_WIDTH = 800;

let canvasAvailable: boolean | undefined;
/** Whether this page can draw on a 2-D canvas; where it cannot (jsdom, locked-down browsers) charts draw as SVG. */
function canDrawOnCanvas(): boolean {
  if (canvasAvailable === undefined) {
    try {
      canvasAvailable = document.createElement('canvas').getContext('2d') !== null;
    } catch {
      canvasAvailable = false;
    }
  }
  return canvasAvailable;
}

/** One ECharts instance bound to a div: created per theme, updated per option, resized with its box. */
export function EChart({ option, renderer = 'canvas', height, testId, ariaLabel, notMerge = false, onClick }: EChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const clickHandler = useRef(onClick);
  clickHandler.current = onClick;
  const { theme } = useTheme();

  useEffect(() => {
    const div = element.current;
    if (!div) return;
    const width = div.clientWidth || FALLBACK_WIDTH;
    const instance = echarts.init(div, theme === 'dark' ? 'dark' : undefined, {
      renderer: renderer === 'canvas' && !canDrawOnCanvas() ? 'svg' : renderer, width, height,
    });
    chart.current = instance;
    instance.on('click', (params) => clickHandler.current?.(params as never));
    let observer: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      // An observer reports the size it first sees, and a resize lays the whole chart out again
      // (as long as drawing it): only a width the chart does not have yet is worth one.
      let drawnWidth = width;
      observer = new ResizeObserver(() => {
        if (div.clientWidth > 0 && div.clientWidth !== drawnWidth) {
          drawnWidth = div.clientWidth;
          instance.resize({ width: drawnWidth, height });
        }
      });
      observer.observe(div);
    }
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme, renderer, height]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge, lazyUpdate: true });
  }, [option, notMerge, theme, renderer, height]);

  return <div ref={element} className="chart" style={{ height }} data-testid={testId} role="img" aria-label={ariaLabel} />;
}
