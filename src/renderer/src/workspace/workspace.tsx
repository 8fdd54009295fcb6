import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import type { OpenFile } from '@shared/api';
import type { Entity } from '@shared/entities';
import { toErrorInfo, type ErrorInfo } from '@shared/errors';
import { isApiError } from '../api/apiError';
import { useApi } from '../app/apiContext';
import { useNotifier } from '../app/notifications';
import { isRunnable } from '../run/eligibility';
import { ancestors } from './paths';

export interface FileView {
  /** Entities fetched so far, by path: the tree only ever shows what is here. */
  entities: Record<string, Entity>;
  errors: Record<string, ErrorInfo>;
  loading: Record<string, true>;
  expanded: Record<string, true>;
  /** Counts reloads (the file changed on disk, or File > Reload): views keyed on it read again. */
  generation: number;
}

export interface Selection {
  fileId: string;
  path: string;
}

export interface WorkspaceState {
  files: OpenFile[];
  views: Record<string, FileView>;
  activeFileId: string | null;
  selection: Selection | null;
}

type Action =
  | { type: 'files'; files: OpenFile[] }
  | { type: 'opened'; file: OpenFile }
  | { type: 'closed'; fileId: string }
  | { type: 'activate'; fileId: string }
  | { type: 'loading'; fileId: string; path: string }
  | { type: 'loaded'; fileId: string; path: string; entity: Entity }
  | { type: 'failed'; fileId: string; path: string; error: ErrorInfo }
  | { type: 'expand'; fileId: string; paths: string[]; expanded: boolean }
  | { type: 'select'; selection: Selection }
  | { type: 'reloaded'; file: OpenFile; gone: string[] };

const emptyView = (): FileView => ({ entities: {}, errors: {}, loading: {}, expanded: { '/': true }, generation: 0 });

function updateView(state: WorkspaceState, fileId: string, change: (view: FileView) => FileView): WorkspaceState {
  const view = state.views[fileId];
  if (!view) return state;
  return { ...state, views: { ...state.views, [fileId]: change(view) } };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function workspaceReducer(state: WorkspaceState, action: Action): WorkspaceState {
  switch (action.type) {
    case 'files': {
      const views: Record<string, FileView> = {};
      for (const file of action.files) views[file.id] = state.views[file.id] ?? emptyView();
      const ids = new Set(action.files.map((f) => f.id));
      const activeFileId = state.activeFileId && ids.has(state.activeFileId) ? state.activeFileId : (action.files[0]?.id ?? null);
      // Something is always on screen: the active file's root unless the user chose otherwise.
      const selection = state.selection && ids.has(state.selection.fileId) ? state.selection
        : activeFileId ? { fileId: activeFileId, path: '/' } : null;
      return { files: action.files, views, activeFileId, selection };
    }
    case 'opened': {
      const known = state.files.some((f) => f.id === action.file.id);
      return {
        ...state,
        files: known ? state.files.map((f) => (f.id === action.file.id ? action.file : f)) : [...state.files, action.file],
        views: { ...state.views, [action.file.id]: state.views[action.file.id] ?? emptyView() },
        activeFileId: action.file.id,
        selection: { fileId: action.file.id, path: '/' },
      };
    }
    case 'closed': {
      const files = state.files.filter((f) => f.id !== action.fileId);
      return {
        files,
        views: without(state.views, action.fileId),
        activeFileId: state.activeFileId === action.fileId ? (files[0]?.id ?? null) : state.activeFileId,
        selection: state.selection?.fileId === action.fileId ? null : state.selection,
      };
    }
    case 'activate':
      return { ...state, activeFileId: action.fileId };
    case 'loading':
      return updateView(state, action.fileId, (view) => ({ ...view, loading: { ...view.loading, [action.path]: true } }));
    case 'loaded':
      return updateView(state, action.fileId, (view) => ({
        ...view,
        entities: { ...view.entities, [action.path]: action.entity },
        errors: without(view.errors, action.path),
        loading: without(view.loading, action.path),
      }));
    case 'failed':
      return updateView(state, action.fileId, (view) => ({
        ...view,
        errors: { ...view.errors, [action.path]: action.error },
        loading: without(view.loading, action.path),
      }));
    case 'expand':
      return updateView(state, action.fileId, (view) => {
        let expanded = view.expanded;
        for (const path of action.paths) expanded = action.expanded ? { ...expanded, [path]: true } : without(expanded, path);
        return { ...view, expanded };
      });
    case 'select':
      return { ...state, selection: action.selection, activeFileId: action.selection.fileId };
    case 'reloaded': {
      const { file, gone } = action;
      const goneSet = new Set(gone);
      const next = updateView(state, file.id, (view) => {
        let { entities, errors, expanded } = view;
        for (const path of gone) {
          entities = without(entities, path);
          errors = without(errors, path);
          expanded = without(expanded, path);
        }
        return { ...view, entities, errors, expanded, generation: view.generation + 1 };
      });
      let selection = next.selection;
      // The selection stays where its object still exists, else on the nearest group above it that does.
      if (selection?.fileId === file.id && goneSet.has(selection.path)) {
        const kept = [...ancestors(selection.path)].reverse().find((path) => !goneSet.has(path)) ?? '/';
        selection = { fileId: file.id, path: kept };
      }
      return { ...next, files: next.files.map((f) => (f.id === file.id ? file : f)), selection };
    }
  }
}

export interface WorkspaceActions {
  /** Fetches an entity unless it is cached (or `force`); failures are recorded against the path, not thrown. */
  load(fileId: string, path: string, options?: { force?: boolean }): Promise<Entity | null>;
  setExpanded(fileId: string, path: string, expanded: boolean): void;
  /** Selects an object and opens every group above it, loading them as needed. */
  select(fileId: string, path: string): void;
  /** Opens the groups above an object so the tree shows it, without selecting it. */
  reveal(fileId: string, path: string): void;
  activate(fileId: string): void;
  fileOpened(file: OpenFile): void;
  close(fileId: string): Promise<void>;
  /** Re-reads a group after a run changed it, and forgets the entity a run replaced. */
  refresh(fileId: string, paths: string[]): Promise<void>;
  /**
   * Reads everything shown of a file again (it changed on disk, or File >
   * Reload): objects that are gone leave the tree, the selection stays where
   * its object still exists, and views of the file read their values again.
   */
  reload(fileId: string, why: 'changed-on-disk' | 'asked'): Promise<void>;
}

/** Datasets at a file's top level read to find the one it opens on; a file of thousands opens on its root. */
const MAX_PROBED_DATASETS = 20;

const WorkspaceContext = createContext<{ state: WorkspaceState; actions: WorkspaceActions } | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const { api, subscribe } = useApi();
  const { notifyError, notify } = useNotifier();
  const [state, dispatch] = useReducer(workspaceReducer, { files: [], views: {}, activeFileId: null, selection: null });
  const stateRef = useRef(state);
  stateRef.current = state;
  const inFlight = useRef(new Map<string, Promise<Entity | null>>());

  const load = useCallback(async (fileId: string, path: string, options: { force?: boolean } = {}) => {
    const view = stateRef.current.views[fileId];
    if (!options.force && view?.entities[path]) return view.entities[path];
    const key = `${fileId}\n${path}`;
    const pending = inFlight.current.get(key);
    if (pending && !options.force) return pending;
    dispatch({ type: 'loading', fileId, path });
    const request = api.getEntity(fileId, path).then(
      (entity) => {
        dispatch({ type: 'loaded', fileId, path, entity });
        return entity;
      },
      (error: unknown) => {
        dispatch({ type: 'failed', fileId, path, error: toErrorInfo(error) });
        return null;
      },
    ).finally(() => inFlight.current.delete(key));
    inFlight.current.set(key, request);
    return request;
  }, [api]);

  /**
   * What a file opens on: `/coords` (the sample's dataset) or else the first
   * dataset at the top that a run can use, so the Run tab starts ready; the
   * root when there is none. Not when the user already chose something.
   */
  const openOnFirstDataset = useCallback(async (fileId: string) => {
    const root = await load(fileId, '/');
    if (root?.kind !== 'group') return;
    const candidates = [...root.children.filter((c) => c.name === 'coords'), ...root.children.filter((c) => c.name !== 'coords')]
      .filter((c) => c.kind === 'dataset').slice(0, MAX_PROBED_DATASETS);
    for (const child of candidates) {
      const entity = await load(fileId, child.path);
      const now = stateRef.current.selection;
      if (now && (now.fileId !== fileId || now.path !== '/')) return;
      if (isRunnable(entity ?? undefined)) {
        dispatch({ type: 'select', selection: { fileId, path: child.path } });
        return;
      }
    }
  }, [load]);

  const actions = useMemo<WorkspaceActions>(() => ({
    load,
    setExpanded(fileId, path, expanded) {
      dispatch({ type: 'expand', fileId, paths: [path], expanded });
      if (expanded) void load(fileId, path);
    },
    select(fileId, path) {
      const opened = ancestors(path);
      dispatch({ type: 'expand', fileId, paths: opened, expanded: true });
      dispatch({ type: 'select', selection: { fileId, path } });
      for (const group of opened) void load(fileId, group);
      void load(fileId, path);
    },
    reveal(fileId, path) {
      const opened = ancestors(path);
      dispatch({ type: 'expand', fileId, paths: opened, expanded: true });
      for (const group of opened) void load(fileId, group);
    },
    activate(fileId) {
      dispatch({ type: 'activate', fileId });
    },
    fileOpened(file) {
      dispatch({ type: 'opened', file });
      void openOnFirstDataset(file.id);
    },
    async close(fileId) {
      try {
        await api.closeFile(fileId);
        dispatch({ type: 'closed', fileId });
      } catch (error) {
        notifyError(error, 'Closing the file');
      }
    },
    async refresh(fileId, paths) {
      await Promise.all(paths.map((path) => load(fileId, path, { force: true })));
    },
    async reload(fileId, why) {
      const view = stateRef.current.views[fileId];
      const known = stateRef.current.files.find((f) => f.id === fileId);
      if (!view || !known) return;
      const paths = [...new Set(['/', ...Object.keys(view.entities), ...Object.keys(view.errors), ...Object.keys(view.expanded)])];
      const gone: string[] = [];
      await Promise.all(paths.map(async (path) => {
        try {
          dispatch({ type: 'loaded', fileId, path, entity: await api.getEntity(fileId, path) });
        } catch (error) {
          const info = isApiError(error) ? { ...toErrorInfo(error), code: error.code } : toErrorInfo(error);
          if (info.code === 'not-found' && path !== '/') gone.push(path);
          else dispatch({ type: 'failed', fileId, path, error: info });
        }
      }));
      const file = (await api.listFiles().catch(() => [] as OpenFile[])).find((f) => f.id === fileId) ?? known;
      dispatch({ type: 'reloaded', file, gone });
      notify(why === 'changed-on-disk' ? `${file.name} changed on disk; reloaded` : `${file.name} reloaded`);
    },
  }), [api, load, notify, notifyError, openOnFirstDataset]);
  const actionsRef = useRef<WorkspaceActions | null>(null);
  actionsRef.current = actions;


  useEffect(() => {
    let live = true;
    api.listFiles().then(
      (files) => {
        if (!live) return;
        dispatch({ type: 'files', files });
        for (const file of files) void load(file.id, '/');
        if (files[0]) void openOnFirstDataset(files[0].id);
      },
      (error: unknown) => notifyError(error, 'Listing open files'),
    );
    const unsubscribe = subscribe('files', (event) => {
      dispatch({ type: 'files', files: event.files });
      for (const file of event.files) void load(file.id, '/');
    });
    const unsubscribeDisk = subscribe('disk', (event) => {
      if (event.type === 'changed') void actionsRef.current?.reload(event.file.id, 'changed-on-disk');
    });
    return () => {
      live = false;
      unsubscribe();
      unsubscribeDisk();
    };
  }, [api, subscribe, load, notifyError, openOnFirstDataset]);

  return <WorkspaceContext.Provider value={{ state, actions }}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace() {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside WorkspaceProvider');
  return workspace;
}

export interface SelectedObject {
  file: OpenFile;
  path: string;
  entity: Entity | undefined;
  error: ErrorInfo | undefined;
  loading: boolean;
  /** The file view's reload count (FileView.generation). */
  generation: number;
}

export function useSelectedObject(): SelectedObject | null {
  const { state } = useWorkspace();
  const { selection } = state;
  if (!selection) return null;
  const file = state.files.find((f) => f.id === selection.fileId);
  const view = state.views[selection.fileId];
  if (!file || !view) return null;
  return {
    file,
    path: selection.path,
    entity: view.entities[selection.path],
    error: view.errors[selection.path],
    loading: Boolean(view.loading[selection.path]),
    generation: view.generation,
  };
}
