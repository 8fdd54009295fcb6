import { useState } from 'react';
import type { DatasetEntity } from '@shared/entities';
import { useApi } from '../app/apiContext';
import { useNotifier } from '../app/notifications';
import { useWorkspace } from '../workspace/workspace';

/**
 * A virtual dataset's sources in the inspector: which files its values come
 * from, a warning naming those that are missing (HDF5 would read fill values
 * in their place), and Materialize, which stores the values in the file.
 */
export function VirtualSources({ dataset, fileId }: { dataset: DatasetEntity; fileId: string }) {
  const { api } = useApi();
  const { notify, notifyError } = useNotifier();
  const { actions } = useWorkspace();
  const [busy, setBusy] = useState(false);
  const sources = (dataset.externalSources ?? []).filter((s) => s.kind === 'virtual-source');
  const missing = sources.filter((s) => s.missing);

  async function materialize() {
    setBusy(true);
    try {
      const result = await api.materialize(fileId, dataset.path);
      notify(`${dataset.path} is now a regular dataset; ${result.removedShards} shard file(s) removed`, 'success');
      await actions.refresh(fileId, [dataset.path, parentOf(dataset.path)]);
    } catch (error) {
      notifyError(error, `Materializing ${dataset.path}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="virtual-sources" data-testid="virtual-sources">
      <p className="small">
        Virtual dataset: its values are read from {sources.length} source file{sources.length === 1 ? '' : 's'}, not stored in this file.
      </p>
      {missing.length > 0 && (
        <p className="warning-text small" role="alert" data-testid="virtual-missing">
          {missing.length} source file{missing.length === 1 ? ' is' : 's are'} missing: {missing.map((s) => s.file).join(', ')}.
          {' '}Those rows cannot be read; move the shard folder back beside the file.
        </p>
      )}
      <ul className="source-list">
        {sources.map((source) => (
          <li key={`${source.file}:${source.dataset ?? ''}`} className={source.missing ? 'warning-text' : undefined}>
            <code>{source.file}</code>{source.dataset ? <> : <code>{source.dataset}</code></> : null}
            {source.missing ? ' (missing)' : ''}
          </li>
        ))}
      </ul>
      <button type="button" disabled={busy || missing.length > 0} onClick={() => void materialize()} data-testid="materialize"
        title={missing.length > 0 ? 'Every source must be present to store the values' : 'Store the values in the file as a regular dataset and remove the shards'}>
        {busy ? 'Materializing…' : 'Materialize'}
      </button>
    </div>
  );
}

function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}
