import { useEffect, useRef, useState, type RefObject } from 'react';

/**
 * An element's width, from a ResizeObserver: its reports come after the
 * browser has laid the page out, so reading the width never forces a layout of
 * its own. `fallback` stands where there is no observer (jsdom).
 */
export function useElementWidth<T extends HTMLElement>(fallback = 0): [RefObject<T>, number] {
  const element = useRef<T>(null);
  const [width, setWidth] = useState(typeof ResizeObserver === 'undefined' ? fallback : 0);
  useEffect(() => {
    const target = element.current;
    if (!target || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => setWidth(target.clientWidth));
    observer.observe(target);
    return () => observer.disconnect();
  }, []);
  return [element, width];
}
