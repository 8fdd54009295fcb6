// ECharts, registered piece by piece so the bundle holds only the charts and
// components the app uses (the full build is about three times larger).
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart,
  DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent,
  CanvasRenderer, SVGRenderer,
]);

export { echarts };
export type { EChartsOption, CustomSeriesRenderItem, CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts';

/** The data value behind an item tooltip (ECharts types it loosely as one item or a list). */
export function tooltipItem<T>(params: unknown): { value: T; dataIndex: number; seriesIndex: number } {
  const item = (Array.isArray(params) ? params[0] : params) as { value: T; dataIndex: number; seriesIndex: number };
  return item;
}
