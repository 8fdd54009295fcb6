import { useEffect, useState } from 'react';

/**
 * How many of `stages` parts of a heavy view to show: one more after each
 * painted frame, starting again whenever `key` changes. A view that mounts its
 * parts one per task lets the browser paint in between instead of freezing
 * for the sum of them. Disabled, every part shows at once.
 */
export function useStaged(stages: number, key: unknown, enabled = true): number {
  const [shown, setShown] = useState(1);
  const [shownFor, setShownFor] = useState(key);
  if (!Object.is(shownFor, key)) {
    // A new subject starts from its first part, in this render (not one frame late).
    setShownFor(key);
    setShown(1);
  }
  useEffect(() => {
    if (!enabled || shown >= stages) return undefined;
    // After the next paint, in a task of its own.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setShown((n) => n + 1), 0)));
    return () => {
      cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
    };
  }, [shown, stages, enabled]);
  return enabled ? shown : stages;
}
