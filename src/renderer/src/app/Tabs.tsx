import { useRef, type KeyboardEvent } from 'react';
import { useRuns } from '../run/runsStore';
import { TABS, useNavigation, type TabId } from './navigation';

/** The main area's tab strip: arrow keys, Home and End move between tabs, as in the WAI-ARIA tabs pattern. */
export function TabStrip() {
  const { tab, showTab } = useNavigation();
  const { live } = useRuns();
  const list = useRef<HTMLDivElement>(null);

  function onKeyDown(event: KeyboardEvent) {
    const index = TABS.findIndex((t) => t.id === tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = TABS[(next + TABS.length) % TABS.length].id;
    showTab(target);
    list.current?.querySelector<HTMLElement>(`#tab-${target}`)?.focus();
  }

  return (
    <div className="tab-strip" role="tablist" aria-label="Views" ref={list} onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <button
          key={t.id}
          id={`tab-${t.id}`}
          type="button"
          role="tab"
          aria-selected={tab === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          className={tab === t.id ? 'active' : ''}
          onClick={() => showTab(t.id as TabId)}
          {...(t.id === 'run' && live ? { 'data-run-status': live.status, 'data-run-id': live.runId } : {})}
        >
          {t.label}
          {/* A run in progress shows on its tab wherever the user is. */}
          {t.id === 'run' && live?.status === 'running' && <span className="tab-badge" aria-hidden="true" title="running"> ●</span>}
        </button>
      ))}
    </div>
  );
}
