import { useEffect, useState } from 'react';
import { uploadDroppedFile } from '../api/upload';
import { useNotifier } from '../app/notifications';
import { useRuns } from '../run/runsStore';
import { useWorkspace } from '../workspace/workspace';

/**
 * Files dropped anywhere on the served page open in the app, as in the desktop
 * app (where the preload hands their paths to the main process instead).
 * Returns whether files are being dragged over the page, for a drop hint.
 */
export function useFileDrop(): boolean {
  const { appInfo } = useRuns();
  const { actions } = useWorkspace();
  const { notifyError } = useNotifier();
  const [dragging, setDragging] = useState(false);
  const served = appInfo?.host === 'serve';

  useEffect(() => {
    if (!served) return;
    const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      // Leaving the window, not one element for another.
      if (event.relatedTarget === null) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      setDragging(false);
      if (!carriesFiles(event)) return;
      event.preventDefault();
      for (const file of event.dataTransfer?.files ?? []) {
        uploadDroppedFile(file).then(actions.fileOpened, (error: unknown) => notifyError(error, `Opening ${file.name}`));
      }
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [served, actions, notifyError]);

  return dragging;
}
