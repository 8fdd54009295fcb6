import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

export const TABS = [
  { id: 'inspect', label: 'Inspect' },
  { id: 'data', label: 'Data' },
  { id: 'run', label: 'Run' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'compare', label: 'Compare' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

interface Navigation {
  tab: TabId;
  showTab(tab: TabId): void;
  /** The run the Timeline tab shows; null follows the live or latest run. */
  timelineRunId: string | null;
  showTimeline(runId: string | null): void;
  /** The Timeline follows the live run again (a new run starts), without changing tab. */
  followLiveRun(): void;
}

const NavigationContext = createContext<Navigation | null>(null);

export function NavigationProvider({ children, initialTab = 'inspect' }: { children: ReactNode; initialTab?: TabId }) {
  const [tab, showTab] = useState<TabId>(initialTab);
  const [timelineRunId, setTimelineRunId] = useState<string | null>(null);
  const value = useMemo<Navigation>(() => ({
    tab, showTab, timelineRunId,
    showTimeline(runId) {
      setTimelineRunId(runId);
      showTab('timeline');
    },
    followLiveRun() {
      setTimelineRunId(null);
    },
  }), [tab, timelineRunId]);
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error('useNavigation outside NavigationProvider');
  return navigation;
}
