import { join } from 'node:path';
import type { Rectangle } from 'electron';
import { JsonStore } from '../app/jsonStore';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

/** Where the window was and how big, in window.json in the user-data folder. */
export function windowStateStore(userDataDir: string): JsonStore<WindowState | null> {
  return new JsonStore<WindowState | null>(join(userDataDir, 'window.json'), () => null, (data) => (isWindowState(data) ? data : undefined));
}

/**
 * The saved bounds if the window would still be reachable there (enough of its
 * title bar on a screen that exists now), else undefined: a window restored onto
 * an unplugged monitor could never be dragged back.
 */
export function restorableBounds(state: WindowState | null, workAreas: readonly Rectangle[]): Rectangle | undefined {
  if (!state) return undefined;
  const { bounds } = state;
  const titleBar = { x: bounds.x, y: bounds.y, width: bounds.width, height: 40 };
  const visible = workAreas.some((area) => overlap(titleBar, area) >= Math.min(100, bounds.width) * 20);
  return visible ? bounds : undefined;
}

function overlap(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function isWindowState(data: unknown): data is WindowState {
  if (!data || typeof data !== 'object') return false;
  const { bounds, maximized } = data as Partial<WindowState>;
  return typeof maximized === 'boolean' && !!bounds
    && [bounds.x, bounds.y, bounds.width, bounds.height].every((n) => Number.isInteger(n))
    && bounds.width > 0 && bounds.height > 0;
}
