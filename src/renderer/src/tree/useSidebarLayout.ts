import { useCallback, useEffect, useState } from 'react';

const STORAGE_KEY = 'h5blocks:sidebar';
export const SIDEBAR_MIN = 180;
export const SIDEBAR_MAX = 560;
const SIDEBAR_DEFAULT = 280;

interface SidebarLayout {
  width: number;
  collapsed: boolean;
}

function stored(): SidebarLayout {
  try {
    const value = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<SidebarLayout> | null;
    if (value && typeof value.width === 'number') return { width: clampWidth(value.width), collapsed: value.collapsed === true };
  } catch {
    // Nothing stored, or not readable: the default.
  }
  // A narrow window gets a narrower sidebar, so the main area keeps its room.
  const fit = typeof window === 'undefined' || !window.innerWidth ? SIDEBAR_DEFAULT : Math.round(window.innerWidth * 0.22);
  return { width: clampWidth(Math.min(SIDEBAR_DEFAULT, fit)), collapsed: false };
}

export function clampWidth(width: number): number {
  return Math.min(SIDEBAR_MAX, Math.max(SIDEBAR_MIN, Math.round(width)));
}

/** The sidebar's width (dragged or keyed) and whether it is hidden, kept across sessions in this browser. */
export function useSidebarLayout() {
  const [layout, setLayout] = useState<SidebarLayout>(stored);
  useEffect(() => {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(layout));
    } catch {
      // Not kept: it still works for this session.
    }
  }, [layout]);
  const setWidth = useCallback((width: number) => setLayout((l) => ({ ...l, width: clampWidth(width), collapsed: false })), []);
  const toggle = useCallback(() => setLayout((l) => ({ ...l, collapsed: !l.collapsed })), []);
  return { ...layout, setWidth, toggle };
}
