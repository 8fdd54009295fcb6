/** Saves text as a file through the browser's download (works in Electron and in `serve`). */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  // Revoke after the click has been handled; revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `coords_1k.h5` + `shard` → `coords_1k-shard-<id>`: names that sort and say what they hold. */
export function exportName(...parts: string[]): string {
  return parts.map((part) => part.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_')).filter(Boolean).join('-');
}
