import { useState, type KeyboardEvent } from 'react';
import type { OpenFile } from '@shared/api';
import type { ChildSummary, DatasetEntity } from '@shared/entities';
import { formatInteger } from '../format/units';
import { EntityIcon } from '../ui/EntityIcon';
import { parentPath } from '../workspace/paths';
import { useWorkspace, type FileView } from '../workspace/workspace';

/** Large groups (thousands of children) render in pages so the tree stays responsive. */
const CHILDREN_PAGE = 200;

export function FileTree({ file, view }: { file: OpenFile; view: FileView }) {
  const { state, actions } = useWorkspace();
  const selectedPath = state.selection?.fileId === file.id ? state.selection.path : null;
  const root: ChildSummary = { name: file.name, path: '/', kind: 'group' };

  return (
    <div className="tree" role="tree" aria-label={`Objects in ${file.name}`} onKeyDown={(event) => moveFocus(event, actions, file.id, view)}>
      <TreeNode file={file} view={view} node={root} level={1} selectedPath={selectedPath} />
    </div>
  );
}

/** Marks a virtual dataset (once its entity is loaded), and says when sources are missing. */
function VirtualBadge({ dataset }: { dataset: DatasetEntity }) {
  const missing = (dataset.externalSources ?? []).filter((s) => s.missing).length;
  return (
    <span className={`tree-hint${missing > 0 ? ' warning-text' : ''}`} data-testid="tree-virtual"
      title={missing > 0 ? `${missing} source file(s) missing` : 'virtual dataset: values read from source files'}>
      {missing > 0 ? `virtual, ${missing} missing` : 'virtual'}
    </span>
  );
}

function TreeNode({ file, view, node, level, selectedPath }: {
  file: OpenFile; view: FileView; node: ChildSummary; level: number; selectedPath: string | null;
}) {
  const { actions } = useWorkspace();
  const [shown, setShown] = useState(CHILDREN_PAGE);
  const isGroup = node.kind === 'group';
  const expanded = isGroup && Boolean(view.expanded[node.path]);
  const entity = view.entities[node.path];
  const error = view.errors[node.path];
  const selected = selectedPath === node.path;
  const children = entity?.kind === 'group' ? entity.children : [];
  // The root is the one stop for Tab when nothing is selected yet.
  const tabStop = selected || (selectedPath === null && node.path === '/');

  return (
    <div role="none">
      <div
        role="treeitem"
        aria-level={level}
        aria-selected={selected}
        aria-expanded={isGroup ? expanded : undefined}
        tabIndex={tabStop ? 0 : -1}
        className={`tree-row${selected ? ' selected' : ''}`}
        style={{ paddingLeft: 6 + (level - 1) * 14 }}
        data-testid="tree-node"
        data-path={node.path}
        data-kind={node.kind}
        onClick={() => {
          actions.select(file.id, node.path);
          if (isGroup && !expanded) actions.setExpanded(file.id, node.path, true);
        }}
      >
        <span
          className={`tree-toggle${isGroup ? '' : ' leaf'}`}
          aria-hidden="true"
          onClick={(event) => {
            if (!isGroup) return;
            event.stopPropagation();
            actions.setExpanded(file.id, node.path, !expanded);
          }}
        >
          {isGroup ? (expanded ? '▾' : '▸') : ''}
        </span>
        <EntityIcon kind={node.kind} open={expanded} />
        <span className="tree-name" title={node.path}>{node.name}</span>
        {entity?.kind === 'dataset' && entity.layout === 'virtual' && <VirtualBadge dataset={entity} />}
        {entity?.kind === 'external-link' && (
          <span className="tree-hint" data-testid="tree-link-target" title={`External link to ${entity.target} in ${entity.file}`}>→ {entity.file}:{entity.target}</span>
        )}
        {view.loading[node.path] && <span className="tree-hint">loading…</span>}
      </div>
      {expanded && (
        <div role="group">
          {error && (
            <div className="tree-message error" style={{ paddingLeft: 26 + level * 14 }} data-testid="tree-error">
              {error.message}
            </div>
          )}
          {entity?.kind === 'group' && children.length === 0 && (
            <div className="tree-message" style={{ paddingLeft: 26 + level * 14 }}>empty group</div>
          )}
          {children.slice(0, shown).map((child) => (
            <TreeNode key={child.path} file={file} view={view} node={child} level={level + 1} selectedPath={selectedPath} />
          ))}
          {children.length > shown && (
            <button
              type="button"
              className="link-button tree-more"
              style={{ marginLeft: 26 + level * 14 }}
              onClick={() => setShown((n) => n + CHILDREN_PAGE * 5)}
            >
              Show {formatInteger(Math.min(children.length - shown, CHILDREN_PAGE * 5))} more of {formatInteger(children.length - shown)}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** Arrow keys as in a file manager: up/down between visible rows, right opens, left closes or goes to the parent. */
function moveFocus(event: KeyboardEvent<HTMLDivElement>, actions: ReturnType<typeof useWorkspace>['actions'], fileId: string, view: FileView) {
  const rows = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="treeitem"]')];
  const current = document.activeElement as HTMLElement | null;
  const index = current ? rows.indexOf(current) : -1;
  if (index < 0) return;
  const path = current!.dataset.path!;
  const isGroup = current!.dataset.kind === 'group';
  const focusRow = (row: HTMLElement | undefined) => {
    if (!row) return;
    row.focus();
    actions.select(fileId, row.dataset.path!);
  };
  switch (event.key) {
    case 'ArrowDown':
      focusRow(rows[index + 1]);
      break;
    case 'ArrowUp':
      focusRow(rows[index - 1]);
      break;
    case 'Home':
      focusRow(rows[0]);
      break;
    case 'End':
      focusRow(rows[rows.length - 1]);
      break;
    case 'ArrowRight':
      if (isGroup && !view.expanded[path]) actions.setExpanded(fileId, path, true);
      else if (isGroup) focusRow(rows[index + 1]);
      break;
    case 'ArrowLeft':
      if (isGroup && view.expanded[path] && path !== '/') actions.setExpanded(fileId, path, false);
      else focusRow(rows.find((row) => row.dataset.path === parentPath(path)));
      break;
    case 'Enter':
    case ' ':
      actions.select(fileId, path);
      if (isGroup) actions.setExpanded(fileId, path, !view.expanded[path]);
      break;
    default:
      return;
  }
  event.preventDefault();
}
