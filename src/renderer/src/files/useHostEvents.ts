import { useEffect, useRef } from 'react';
import { useApi } from '../app/apiContext';
import { useNotifier } from '../app/notifications';
import { useTheme } from '../app/theme';
import { useWorkspace } from '../workspace/workspace';

/**
 * What the host did on its own and the UI must show: a file it opened (drop,
 * command line, second launch), a file it could not open, a native menu command.
 */
export function useHostEvents(onSaveAs: () => void): void {
  const { subscribe } = useApi();
  const { notifyError } = useNotifier();
  const { toggle } = useTheme();
  const { state, actions } = useWorkspace();
  const latest = useRef({ onSaveAs, activeFileId: state.activeFileId });
  latest.current = { onSaveAs, activeFileId: state.activeFileId };

  useEffect(() => subscribe('host', (event) => {
    if (event.type === 'opened') actions.fileOpened(event.file);
    else if (event.type === 'open-failed') notifyError(event.error, 'Opening a file');
    else if (event.command === 'toggle-theme') toggle();
    else if (event.command === 'save-as') latest.current.onSaveAs();
    else if (event.command === 'close-file' && latest.current.activeFileId) void actions.close(latest.current.activeFileId);
    else if (event.command === 'reload-file' && latest.current.activeFileId) void actions.reload(latest.current.activeFileId, 'asked');
  }), [subscribe, actions, notifyError, toggle]);
}
