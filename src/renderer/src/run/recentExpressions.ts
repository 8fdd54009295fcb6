// Expressions the user ran, newest first, offered again from the expression box.
// Kept in localStorage like the app's other choices (the sidebar's width, the
// hidden Compare columns); storage may be unavailable, then they last the session.
import { useCallback, useState } from 'react';

export const RECENT_EXPRESSIONS_KEY = 'h5blocks.recentExpressions';
export const MAX_RECENT_EXPRESSIONS = 12;

function saved(): string[] {
  try {
    const value = JSON.parse(window.localStorage.getItem(RECENT_EXPRESSIONS_KEY) ?? '[]') as unknown;
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').slice(0, MAX_RECENT_EXPRESSIONS) : [];
  } catch {
    return [];
  }
}

/** `list` with `text` moved (or added) to the front, at most MAX_RECENT_EXPRESSIONS long. */
export function withRecent(list: readonly string[], text: string): string[] {
  return [text, ...list.filter((item) => item !== text)].slice(0, MAX_RECENT_EXPRESSIONS);
}

export function useRecentExpressions(): { recent: string[]; remember(text: string): void } {
  const [recent, setRecent] = useState<string[]>(saved);
  const remember = useCallback((text: string) => {
    if (text.trim() === '') return;
    // Another form (or window) may have added some since this one loaded.
    const next = withRecent(saved(), text);
    try {
      window.localStorage.setItem(RECENT_EXPRESSIONS_KEY, JSON.stringify(next));
    } catch {
      // Storage full or disabled: kept for this session only.
    }
    setRecent(next);
  }, []);
  return { recent, remember };
}
