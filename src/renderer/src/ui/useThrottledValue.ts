import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `intervalMs` while it keeps changing
 * (the latest value always lands, at the end of the interval). `immediate`
 * lets a final value through at once.
 */
export function useThrottledValue<T>(value: T, intervalMs: number, immediate = false): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return undefined;
    const wait = immediate ? 0 : Math.max(0, lastShown.current + intervalMs - performance.now());
    const timer = setTimeout(() => {
      lastShown.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs, immediate]);
  return immediate ? value : shown;
}
