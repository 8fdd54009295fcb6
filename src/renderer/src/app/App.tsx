import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { Toolbar } from '../files/Toolbar';
import { useFileDrop } from '../files/useFileDrop';
import { Inspector } from '../inspect/Inspector';
import { RunPanel } from '../run/RunPanel';
import { SIDEBAR_MAX, SIDEBAR_MIN, useSidebarLayout } from '../tree/useSidebarLayout';
import { MatrixProvider } from '../compare/matrixRunner';
import { RunsProvider } from '../run/runsStore';
import { RunSettingsProvider } from '../run/runSettings';
import { Sidebar } from '../tree/Sidebar';
import { WorkspaceProvider } from '../workspace/workspace';
import { ApiProvider, type ApiClient } from './apiContext';
import { ConnectionBanner } from './ConnectionBanner';
import { NavigationProvider, useNavigation, type TabId } from './navigation';
import { NoticeStack, NotificationsProvider } from './notifications';
import { TabStrip } from './Tabs';
import { ThemeProvider } from './theme';

// The chart-heavy views load on first use: ECharts is most of the bundle and the Inspect tab does not need it.
const loadDataView = () => import('../data/DataView');
const loadTimelineView = () => import('../timeline/TimelineView');
const loadCompareView = () => import('../compare/CompareView');
const DataView = lazy(() => loadDataView().then((m) => ({ default: m.DataView })));
const TimelineView = lazy(() => loadTimelineView().then((m) => ({ default: m.TimelineView })));
const CompareView = lazy(() => loadCompareView().then((m) => ({ default: m.CompareView })));
/** Asking WebGL for its texture limit creates a WebGL context: a long task of the main thread with a software GPU. */
const probeWebgl = () => import('../data/firstView').then((m) => m.canDrawPlots());

/**
 * Loads the heavy views' code while the page is idle, one per idle period:
 * evaluating ECharts or h5web takes a long task, which should not happen when
 * the user first opens the Timeline in the middle of a run. WebGL's probe
 * (the first plot's view needs its texture limit) is done then too, not as the
 * first dataset's view loads.
 */
function usePreloadedViews() {
  useEffect(() => {
    if (typeof window.requestIdleCallback !== 'function') return undefined;
    const queue: (() => Promise<unknown>)[] = [loadTimelineView, loadCompareView, loadDataView, probeWebgl];
    let handle = 0;
    const next = () => {
      const load = queue.shift();
      if (load) handle = window.requestIdleCallback(() => void load().then(next, () => undefined), { timeout: 10_000 });
    };
    next();
    return () => window.cancelIdleCallback(handle);
  }, []);
}

const PANELS: Record<TabId, ComponentType> = {
  inspect: Inspector,
  data: DataView,
  run: RunPanel,
  timeline: TimelineView,
  compare: CompareView,
};

/** The whole app around an API client: the real transport in main.tsx, a fake one in tests. */
export function App({ client }: { client: ApiClient }) {
  return (
    <ThemeProvider>
      <NotificationsProvider>
        <ApiProvider client={client}>
          <NavigationProvider>
            <WorkspaceProvider>
              <RunsProvider>
                <RunSettingsProvider>
                  <MatrixProvider>
                    <Layout />
                  </MatrixProvider>
                </RunSettingsProvider>
              </RunsProvider>
            </WorkspaceProvider>
          </NavigationProvider>
        </ApiProvider>
        <NoticeStack />
      </NotificationsProvider>
    </ThemeProvider>
  );
}

function Layout() {
  const { tab } = useNavigation();
  usePreloadedViews();
  const Panel = PANELS[tab];
  const dragging = useFileDrop();
  const sidebar = useSidebarLayout();
  const startResize = (event: React.PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture?.(event.pointerId);
    const from = event.clientX;
    const initial = sidebar.collapsed ? 0 : sidebar.width;
    const move = (e: PointerEvent) => sidebar.setWidth(initial + e.clientX - from);
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  return (
    <div className="app">
      {dragging && <div className="drop-hint" data-testid="drop-hint">Drop HDF5 files to open them</div>}
      <Toolbar />
      <ConnectionBanner />
      <div className="workspace" style={{ gridTemplateColumns: `${sidebar.collapsed ? 0 : sidebar.width}px 6px minmax(0, 1fr)` }} data-sidebar={sidebar.collapsed ? 'collapsed' : 'open'}>
        {sidebar.collapsed ? <div /> : <Sidebar />}
        <div
          className="sidebar-resizer" role="separator" aria-orientation="vertical" aria-label="Resize the sidebar" tabIndex={0}
          aria-valuemin={SIDEBAR_MIN} aria-valuemax={SIDEBAR_MAX} aria-valuenow={sidebar.collapsed ? 0 : sidebar.width}
          onPointerDown={startResize}
          onKeyDown={(event) => {
            const step = event.shiftKey ? 60 : 20;
            if (event.key === 'ArrowLeft') sidebar.setWidth(sidebar.width - step);
            else if (event.key === 'ArrowRight') sidebar.setWidth(sidebar.width + step);
            else return;
            event.preventDefault();
          }}
        />
        <main className="main-area">
          <div className="main-top">
            <button
              type="button" className="sidebar-toggle" onClick={sidebar.toggle} aria-expanded={!sidebar.collapsed}
              aria-label={sidebar.collapsed ? 'Show the sidebar' : 'Hide the sidebar'} title={sidebar.collapsed ? 'Show the sidebar' : 'Hide the sidebar'}
            >{sidebar.collapsed ? '»' : '«'}</button>
            <TabStrip />
          </div>
          <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} tabIndex={-1}>
            <Suspense fallback={<p className="suspense-note">Loading…</p>}>
              <Panel />
            </Suspense>
          </div>
        </main>
      </div>
    </div>
  );
}
