// Which IPC messages the main process answers: only those from the main frame
// of our own window showing our own page. An iframe, a page the window was
// somehow navigated to, or another webContents gets nothing.

export interface SenderInfo {
  /** webContents.id of the sender. */
  contentsId: number;
  /** Whether the sending frame is its webContents' main (top) frame. */
  isMainFrame: boolean;
  /** The sending frame's URL; null when the frame is gone. */
  frameUrl: string | null;
}

export interface OurWindow {
  contentsId: number;
  /** file:// URL of out/renderer/index.html. */
  rendererUrl: string;
}

export function isTrustedSender(sender: SenderInfo, ours: OurWindow | undefined): boolean {
  if (!ours || sender.contentsId !== ours.contentsId || !sender.isMainFrame || !sender.frameUrl) return false;
  return withoutQueryOrHash(sender.frameUrl) === withoutQueryOrHash(ours.rendererUrl);
}

function withoutQueryOrHash(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    return parsed.href;
  } catch {
    return undefined;
  }
}
