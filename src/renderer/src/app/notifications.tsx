import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';

export interface Notice {
  id: number;
  tone: 'error' | 'info' | 'success';
  title: string;
  message: string;
  code?: string;
}

interface Notifier {
  /** Shows any rejection as its one-line message; `action` says what the user was doing ("Opening coords.h5"). */
  notifyError(error: unknown, action?: string): ErrorInfo;
  notify(message: string, tone?: 'info' | 'success'): void;
}

const NotifierContext = createContext<Notifier | null>(null);
const NoticesContext = createContext<{ notices: Notice[]; dismiss(id: number): void }>({ notices: [], dismiss: () => {} });

const ERROR_TITLES: Partial<Record<ErrorInfo['code'], string>> = {
  'not-found': 'Not found',
  'not-hdf5': 'Not an HDF5 file',
  hdf5: 'HDF5 error',
  'unsupported-dataset': 'Dataset cannot be used',
  'output-exists': 'Output already exists',
  'output-conflict': 'Output cannot be replaced',
  busy: 'File busy',
  'too-large': 'Too large',
  'invalid-argument': 'Invalid value',
  aborted: 'Cancelled',
  forbidden: 'Not allowed',
  internal: 'Something went wrong',
  cluster: 'Dask cluster problem',
};

export function errorTitle(info: ErrorInfo): string {
  return ERROR_TITLES[info.code] ?? 'Error';
}

const LIFETIME_MS = { error: 12_000, info: 5_000, success: 5_000 };

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);

  const push = useCallback((notice: Omit<Notice, 'id'>) => {
    const id = nextId.current++;
    // Keep the last few: a burst of failures must not bury the screen.
    setNotices((all) => [...all.slice(-4), { ...notice, id }]);
    setTimeout(() => dismiss(id), LIFETIME_MS[notice.tone]);
  }, [dismiss]);

  const notifier = useMemo<Notifier>(() => ({
    notifyError(error, action) {
      const info = toErrorInfo(error);
      push({ tone: 'error', title: action ? `${action} failed` : errorTitle(info), message: info.message, code: info.code });
      return info;
    },
    notify(message, tone = 'info') {
      push({ tone, title: tone === 'success' ? 'Done' : 'Note', message });
    },
  }), [push]);

  return (
    <NotifierContext.Provider value={notifier}>
      <NoticesContext.Provider value={{ notices, dismiss }}>{children}</NoticesContext.Provider>
    </NotifierContext.Provider>
  );
}

export function useNotifier(): Notifier {
  const notifier = useContext(NotifierContext);
  if (!notifier) throw new Error('useNotifier outside NotificationsProvider');
  return notifier;
}

/** The toasts, bottom right; errors are announced to screen readers at once. */
export function NoticeStack() {
  const { notices, dismiss } = useContext(NoticesContext);
  return (
    <div className="notice-stack" aria-live="polite">
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice notice-${notice.tone}`}
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-testid="notice"
        >
          <div className="notice-text">
            <strong>{notice.title}</strong>
            <span>{notice.message}</span>
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
