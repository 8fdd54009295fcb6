import { useCallback, useState } from 'react';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';

/**
 * An action the user started from a control that shows its own failure beside
 * it (not as a notice): whether it is under way, and the last attempt's error,
 * cleared when the next one starts.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(toErrorInfo(failure));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
