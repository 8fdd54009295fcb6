import type { ReactNode } from 'react';
import type { Attribute, DatasetEntity, Entity, ExternalLinkEntity } from '@shared/entities';
import { useApi } from '../app/apiContext';
import { useNavigation } from '../app/navigation';
import {
  chunkBytes, describeDtype, describeFilter, describeLayout, describeMaxShape, describeSize, formatAttributeValue,
} from '../format/hdf5';
import { formatBytes, formatInteger, formatShape } from '../format/units';
import { runRefusal } from '../run/eligibility';
import { EntityIcon, kindLabel } from '../ui/EntityIcon';
import { useAction } from '../ui/useAction';
import { useSelectedObject, useWorkspace } from '../workspace/workspace';
import { ObjectStatus } from './ObjectStatus';
import type { OpenFile } from '@shared/api';
import { LiveSwitch } from '../data/LiveSwitch';
import { useLiveRefresh } from '../data/useLiveRefresh';
import { VirtualSources } from './VirtualSources';

export function Inspector() {
  const selected = useSelectedObject();
  if (!selected?.entity) return <ObjectStatus selected={selected} />;
  const { entity, file } = selected;
  return (
    <div className="inspector" data-testid="inspector">
      <header className="object-header">
        <EntityIcon kind={entity.kind} />
        <h2 className="object-title">{entity.name === '/' ? file.name : entity.name}</h2>
        <span className="badge">{kindLabel(entity.kind)}</span>
      </header>
      {entity.kind === 'dataset' && file.beingWritten && <InspectorLive file={file} path={entity.path} />}
      <dl className="properties">
        <Property label="Path"><code data-testid="inspector-path">{entity.path}</code></Property>
        <Property label="File"><span title={file.path}>{file.name}</span></Property>
        <EntityProperties entity={entity} fileId={file.id} />
      </dl>
      {'attributes' in entity && <Attributes attributes={entity.attributes} />}
    </div>
  );
}

/** The inspector's Live switch, for a dataset of a file a SWMR writer has open (its shape and size follow the writer). */
function InspectorLive({ file, path }: { file: OpenFile; path: string }) {
  const live = useLiveRefresh(file, path);
  return <LiveSwitch live={live} beingWritten={file.beingWritten === true} />;
}

function EntityProperties({ entity, fileId }: { entity: Entity; fileId: string }) {
  const { actions } = useWorkspace();
  switch (entity.kind) {
    case 'group':
      return <Property label="Children">{formatInteger(entity.children.length)}</Property>;
    case 'dataset':
      return <DatasetProperties dataset={entity} fileId={fileId} />;
    case 'datatype':
      return (
        <>
          <Property label="Type">{describeDtype(entity.dtype)}</Property>
          {entity.dtype.members && (
            <Property label="Members">
              {entity.dtype.members.map((m) => `${m.name}: ${m.dtype.description}`).join('; ')}
            </Property>
          )}
        </>
      );
    case 'soft-link':
      return (
        <Property label="Target">
          <code>{entity.target}</code>{' '}
          <button type="button" className="link-button" onClick={() => actions.select(fileId, entity.target)}>Go to target</button>
        </Property>
      );
    case 'broken-link':
      return <Property label="Target"><code>{entity.target}</code> <span className="warning-text">does not exist in this file</span></Property>;
    case 'user-defined-link':
      return <Property label="Link class"><code>{entity.linkClass}</code> <span className="warning-text">a user-defined link, which h5blocks cannot follow</span></Property>;
    case 'external-link':
      // Keyed: another link starts without the last one's error.
      return <ExternalLinkProperties key={`${fileId}:${entity.path}`} link={entity} fileId={fileId} />;
  }
}

/** Where an external link points, and a way there: its file opens and its object is selected. */
function ExternalLinkProperties({ link, fileId }: { link: ExternalLinkEntity; fileId: string }) {
  const { api } = useApi();
  const { actions } = useWorkspace();
  const opening = useAction();

  const openTarget = () => opening.run(async () => {
    const target = await api.openLinkTarget(fileId, link.path);
    actions.fileOpened(target.file);
    actions.select(target.file.id, target.path);
  });

  return (
    <>
      <Property label="Target file"><code data-testid="link-target-file">{link.file}</code></Property>
      <Property label="Target object"><code data-testid="link-target-object">{link.target}</code></Property>
      <Property label="Status">
        {link.resolvable
          ? 'The target file exists next to this file.'
          : <span className="warning-text">The target file is missing next to this file.</span>}
        {' '}
        <button type="button" className="link-button" data-testid="open-link-target" disabled={opening.busy} onClick={() => void openTarget()}>
          Open target
        </button>
        {opening.error && <p className="inline-error" role="alert" data-testid="link-target-error">{opening.error.message}</p>}
      </Property>
    </>
  );
}

function DatasetProperties({ dataset, fileId }: { dataset: DatasetEntity; fileId: string }) {
  const { showTab } = useNavigation();
  const refusal = runRefusal(dataset);
  const chunk = chunkBytes(dataset);
  const maxDiffers = dataset.maxShape && JSON.stringify(dataset.maxShape) !== JSON.stringify(dataset.shape);
  return (
    <>
      <Property label="Shape"><span data-testid="inspector-shape">{formatShape(dataset.shape)}</span></Property>
      {maxDiffers && <Property label="Maximum shape">{describeMaxShape(dataset.maxShape)}</Property>}
      <Property label="Element type"><span data-testid="inspector-dtype">{describeDtype(dataset.dtype)}</span></Property>
      <Property label="Layout">{describeLayout(dataset.layout)}</Property>
      <Property label="Chunk shape">
        {dataset.chunks ? `${formatShape(dataset.chunks)} (${formatBytes(chunk ?? 0)} per chunk)` : '— (not chunked)'}
      </Property>
      <Property label="Filters">
        {dataset.filters.length === 0 ? 'none' : dataset.filters.map(describeFilter).join(' → ')}
      </Property>
      <Property label="Size">{describeSize(dataset)}</Property>
      {dataset.layout === 'virtual' && (
        <Property label="Values read from"><VirtualSources dataset={dataset} fileId={fileId} /></Property>
      )}
      {dataset.layout !== 'virtual' && dataset.externalSources && dataset.externalSources.length > 0 && (
        <Property label="Values read from">
          {dataset.externalSources.map((source) => (
            <div key={`${source.kind}:${source.file}:${source.dataset ?? ''}`}>
              <code>{source.file}</code>{source.dataset ? <> : <code>{source.dataset}</code></> : null}
              {' '}({source.kind === 'virtual-source' ? 'virtual dataset source' : 'external raw storage'})
            </div>
          ))}
        </Property>
      )}
      <Property label="Row norm run">
        {refusal === null
          ? <>Usable. <button type="button" className="link-button" onClick={() => showTab('run')}>Set up a run…</button></>
          : <span className="muted">{refusal}</span>}
      </Property>
    </>
  );
}

function Attributes({ attributes }: { attributes: Attribute[] }) {
  return (
    <section className="attributes" aria-label="Attributes">
      <h3 className="section-title">Attributes <span className="muted">({formatInteger(attributes.length)})</span></h3>
      {attributes.length === 0 ? <p className="muted">No attributes.</p> : (
        <table className="data-table compact" data-testid="attributes">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Type</th><th scope="col">Shape</th></tr>
          </thead>
          <tbody>
            {attributes.map((attribute) => (
              <tr key={attribute.name}>
                <th scope="row">{attribute.name}</th>
                <td className="attribute-value">{formatAttributeValue(attribute.value)}</td>
                <td>{attribute.dtype.description}</td>
                <td>{formatShape(attribute.shape)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Property({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
