import { useEffect, useState, type RefObject } from 'react';

/**
 * The rows of a fixed row height that a scrolling element shows (plus
 * `overscan` on each side), from its scroll offset alone. Written here rather
 * than taken from @tanstack/react-virtual because that virtualizer builds one
 * measurement object per row when it mounts: for the 2,000,000 rows of a
 * point set's table that was a long task of the page's main thread, growing
 * with the row count, while the view loaded. Here the cost does not grow with the row count.
 */
export function useFixedRowWindow(scroller: RefObject<HTMLElement | null>, rowCount: number, rowHeight: number, viewportHeight: number, overscan: number) {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(viewportHeight);
  useEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    const onScroll = () => setScrollTop(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    // Without layout (tests) the element has no height: the height asked for stands in.
    const measure = () => setViewport(element.clientHeight || viewportHeight);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(element);
    measure();
    onScroll();
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer?.disconnect();
    };
  }, [scroller, viewportHeight]);
  const first = Math.max(0, Math.min(rowCount - 1, Math.floor(scrollTop / rowHeight) - overscan));
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const rows: number[] = [];
  for (let row = first; row <= last; row++) rows.push(row);
  return { rows, first, last, totalHeight: rowCount * rowHeight };
}
