import { useEffect, useId, useState } from 'react';
import { useAsync } from '../ui/useAsync';
import type { RunParams } from '@shared/api';
import type { DatasetEntity, Entity } from '@shared/entities';
import { toErrorInfo } from '@shared/errors';
import { describeNonFinite } from '@shared/expression';
import { MAX_WORKERS, STRATEGIES, defaultOutputName, isSchedulerAddress } from '@shared/run';
import { useApi } from '../app/apiContext';
import { useNavigation } from '../app/navigation';
import { useNotifier } from '../app/notifications';
import { formatBytes, formatInteger, formatShape } from '../format/units';
import { ObjectStatus } from '../inspect/ObjectStatus';
import { baseName, parentPath, resolveOutputPath } from '../workspace/paths';
import { useSelectedObject, useWorkspace } from '../workspace/workspace';
import { CollisionDialog, type Collision } from './CollisionDialog';
import { kernelChoices, runRefusal } from './eligibility';
import { outputNameProblem } from './outputName';
import { RunProgressBar } from './RunProgress';
import { nextFreeName, overwriteRefusal, planSummary, STRATEGY_HELP } from './runPlan';
import { useRuns } from './runsStore';
import { EXPRESSION_CHOICE, useRunSettings } from './runSettings';
import { StatsSection } from './StatsSection';
import { ExpressionField, isRunnableExpression, useExpressionCheck } from './ExpressionField';
import { useRecentExpressions } from './recentExpressions';

export function RunPanel() {
  const selected = useSelectedObject();
  const { live } = useRuns();
  const dataset = selected?.entity;
  return (
    <div className="run-panel">
      <h2 className="object-title">Compute one value per row or frame, block by block</h2>
      {!dataset ? <ObjectStatus selected={selected} hint="Select a numeric dataset in the tree (a series, N×D rows, or a stack of frames) to run a computation on it." />
        : <RunForm key={`${selected.file.id}:${dataset.path}`} fileId={selected.file.id} fileName={selected.file.name} entity={dataset} />}
      {live && <RunProgressBar live={live} />}
      {live?.status === 'finished' && live.result && <FinishedActions runId={live.result.id} fileId={live.params.fileId} output={live.result.output} rows={live.result.rows} nonFinite={describeNonFinite(live.result.nonFinite)} />}
    </div>
  );
}

/** After a run: its output, a link away (the form above stays on the input for the next run). */
function FinishedActions({ runId, fileId, output, rows, nonFinite }: { runId: string; fileId: string; output: string; rows: number; nonFinite: string | null }) {
  const { showTimeline, showTab } = useNavigation();
  const { actions } = useWorkspace();
  return (
    <div className="button-row" data-testid="run-finished">
      <span>
        Wrote {formatInteger(rows)} rows to{' '}
        <a
          href="#" data-testid="run-output-link"
          onClick={(event) => {
            event.preventDefault();
            actions.select(fileId, output);
            showTab('data');
          }}
        ><code>{output}</code></a>
        {nonFinite && <span className="warning-text" data-testid="run-non-finite">; the expression gave {nonFinite} (written as they are)</span>}
      </span>
      <button type="button" onClick={() => showTimeline(runId)}>Show timeline</button>
      <button type="button" onClick={() => showTab('compare')}>Compare runs</button>
    </div>
  );
}

function RunForm({ fileId, fileName, entity }: { fileId: string; fileName: string; entity: Entity }) {
  const refusal = runRefusal(entity);
  if (refusal !== null || entity.kind !== 'dataset') {
    return (
      <div className="callout" data-testid="run-refusal">
        <p><strong><code>{entity.path}</code> cannot be used for this run.</strong></p>
        <p>{refusal}</p>
        {entity.kind === 'dataset' && <p className="muted small">Shape {formatShape(entity.shape)}, {entity.dtype.description}.</p>}
      </div>
    );
  }
  return <RunnableForm fileId={fileId} fileName={fileName} dataset={entity} />;
}

function RunnableForm({ fileId, fileName, dataset }: { fileId: string; fileName: string; dataset: DatasetEntity }) {
  const { api } = useApi();
  const { notifyError } = useNotifier();
  const runs = useRuns();
  const cores = runs.appInfo?.cores ?? 1;
  const { settings, update } = useRunSettings(`${fileId}:${dataset.path}`);
  const { strategy, blockRowsText, ifExists } = settings;
  const choices = kernelChoices(dataset);
  const offered = choices.filter((choice) => choice.refusal === null);
  // Every dataset a run can use takes an expression (its text is checked against the dataset's rows).
  const isExpression = settings.compute === EXPRESSION_CHOICE;
  // A kernel chosen on another dataset may not apply here: fall back to the first that does.
  const compute = isExpression || offered.some((choice) => choice.kernel.name === settings.compute) ? settings.compute : offered[0]?.kernel.name ?? 'norm';
  const kernel = choices.find((choice) => choice.kernel.name === compute)?.kernel;
  const expressionText = settings.expressionText;
  const expressionCheck = useExpressionCheck(fileId, dataset.path, isExpression ? expressionText : '');
  const { recent: recentExpressions, remember: rememberExpression } = useRecentExpressions();
  const expressionError = isExpression && !isRunnableExpression(expressionCheck, expressionText);
  const outputText = settings.outputText ?? defaultOutputName(dataset.path, compute);
  const workersText = settings.workersText ?? String(cores);
  const [collision, setCollision] = useState<(Collision & { params: RunParams }) | null>(null);
  const [existing, setExisting] = useState<Entity | null>(null);
  const [starting, setStarting] = useState(false);
  // The file is held by another program (or marked open by one): said at the Run button, with a Retry, never in a dialog.
  const [blocked, setBlocked] = useState<{ message: string; params: RunParams } | null>(null);
  /** Readable while running (SWMR), and the format upgrade a live run on an older file asks for. */
  const [live, setLive] = useState(false);
  const [upgradeAsk, setUpgradeAsk] = useState<{ params: RunParams; message: string } | null>(null);
  const liveStrategy = strategy === 'inline' || strategy === 'pool';
  const ids = { strategy: useId(), workers: useId(), blockRows: useId(), output: useId(), scheduler: useId(), compute: useId(), expression: useId() };
  const scheduler = strategy === 'dask' ? settings.schedulerText.trim() : '';
  const schedulerError = scheduler !== '' && !isSchedulerAddress(scheduler) ? 'A Dask scheduler address, such as tcp://host:8786 (or blank for a local cluster).' : null;

  const workers = Number(workersText);
  const workersError = strategy !== 'inline' && (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    ? `Choose 1 to ${MAX_WORKERS} workers.` : null;
  // Allowed, because measuring oversubscription is part of comparing strategies, but worth a word.
  const workersNote = workers > cores
    ? `More workers than the ${cores} cores here: they take turns on the cores.`
    : `Up to ${cores} gets a core each (this machine has ${cores}).`;
  const blockRows = blockRowsText.trim() === '' ? undefined : Number(blockRowsText);
  const blockRowsError = blockRows !== undefined && (!Number.isInteger(blockRows) || blockRows < 1) ? 'A whole number of rows, at least 1 (or blank for the default).' : null;
  const output = resolveOutputPath(dataset.path, outputText);
  const outputError = outputNameProblem(dataset.path, outputText, existing);
  // The default block as the run will use it: the engine's rule, asked of the main process (it has a rule
  // per strategy that the form's own estimate below does not know); the estimate stands in until it answers.
  const planWorkers = workersError ? 1 : workers;
  const engineDefault = useAsync(
    () => (blockRows === undefined ? api.planRuns(fileId, dataset.path, [{ strategy, workers: planWorkers }]).then((plans) => plans[0]?.blockRows) : Promise.resolve(undefined)),
    [api, fileId, dataset, strategy, planWorkers, blockRows],
  );
  const defaultRows = engineDefault.status === 'done' ? engineDefault.value : undefined;
  const plan = planSummary(dataset, strategy, planWorkers, blockRowsError ? undefined : blockRows ?? defaultRows);
  const running = runs.live?.status === 'running';

  // Say up front whether the output name is taken, so the dialog is no surprise.
  useEffect(() => {
    let live = true;
    setExisting(null);
    api.getEntity(fileId, output).then((entity) => live && setExisting(entity), () => live && setExisting(null));
    return () => {
      live = false;
    };
  }, [api, fileId, output, runs.records.length]);

  async function suggestName(path: string): Promise<string> {
    const taken = new Set<string>();
    try {
      const parent = await api.getEntity(fileId, parentPath(path));
      if (parent.kind === 'group') for (const child of parent.children) taken.add(child.path);
    } catch {
      // Unknown siblings: the run itself will still refuse a taken name.
    }
    taken.add(path);
    return baseName(nextFreeName(path, taken));
  }

  async function askAbout(params: RunParams, found: Entity | null, refusalFromEngine?: string) {
    const path = params.output ?? output;
    const refusal = refusalFromEngine ?? (found ? overwriteRefusal(found, dataset, params.strategy) : null);
    setCollision({
      params,
      output: path,
      existing: found ? describeEntity(found) : 'an existing object',
      overwriteRefusal: refusal,
      suggestedName: await suggestName(path),
    });
  }

  async function launch(params: RunParams) {
    setCollision(null);
    setBlocked(null);
    setStarting(true);
    let runId: string;
    try {
      const planned = planSummary(dataset, params.strategy, params.workers, params.blockRows ?? (params.strategy === strategy ? defaultRows : undefined));
      const plan = { blocks: planned.blocks, rows: dataset.shape?.[0] ?? 0, blockRows: planned.blockRows, workers: params.strategy === 'inline' ? 1 : params.workers };
      runId = await runs.start(params, fileName, { openOutput: true, handledErrors: ['output-exists', 'output-conflict', 'busy', ...(params.live ? ['invalid-argument' as const] : [])], plan });
    } catch (failure) {
      return explainFailure(params, failure, true);
    } finally {
      setStarting(false);
    }
    // A run reports a taken output as a failure event; other failures are announced by the runs store.
    await runs.waitFor(runId).catch((failure: unknown) => explainFailure(params, failure, false));
  }

  async function explainFailure(params: RunParams, failure: unknown, announce: boolean) {
    const info = toErrorInfo(failure);
    if (info.code === 'output-exists' || info.code === 'output-conflict') {
      const found = await api.getEntity(fileId, params.output ?? output).catch(() => null);
      await askAbout({ ...params, overwrite: false }, found, info.code === 'output-conflict' ? conflictReason(info.message) : undefined);
    } else if (info.code === 'busy') {
      setBlocked({ message: info.message, params });
    } else if (params.live && info.code === 'invalid-argument' && /HDF5 1\.8 tools/.test(info.message)) {
      setUpgradeAsk({ params, message: info.message });
    } else if ((announce || (params.live && info.code === 'invalid-argument')) && info.code !== 'aborted') {
      notifyError(info, 'Starting the run');
    }
  }

  async function onRun() {
    const params: RunParams = {
      fileId, dataset: dataset.path, ...(isExpression ? { expression: expressionText } : { compute }), strategy, workers: strategy === 'inline' ? 1 : workers, blockRows, output,
      ...(scheduler ? { scheduler } : {}),
      ...(live && liveStrategy ? { live: true } : {}),
    };
    setUpgradeAsk(null);
    if (isExpression) rememberExpression(expressionText);
    if (ifExists === 'overwrite') return launch({ ...params, overwrite: true });
    const found = await api.getEntity(fileId, output).catch(() => null);
    if (!found) return launch(params);
    if (ifExists === 'rename') return launch({ ...params, output: resolveOutputPath(dataset.path, await suggestName(output)) });
    return askAbout(params, found);
  }

  const invalid = Boolean(workersError || blockRowsError || outputError || schedulerError || expressionError);
  return (
    <>
      <form className="run-form" onSubmit={(event) => {
        event.preventDefault();
        if (!invalid && !running) void onRun();
      }}>
        <p className="dataset-line" data-testid="run-dataset">
          <code>{dataset.path}</code> in {fileName} · {formatShape(dataset.shape)} · {dataset.dtype.description}
        </p>

        <div className="form-grid">
          <label htmlFor={ids.compute}>Computation</label>
          <div>
            <select id={ids.compute} value={compute} onChange={(event) => update({ compute: event.target.value })}
              aria-describedby={`${ids.compute}-help`} data-testid="compute-choice">
              {choices.map(({ kernel: k, refusal }) => (
                <option key={k.name} value={k.name} disabled={refusal !== null} title={refusal ?? k.description}>
                  {k.name}{refusal !== null ? ' (does not apply)' : ''}
                </option>
              ))}
              <option value={EXPRESSION_CHOICE} title="Your own formula over x (the row) and i (its index)">Expression…</option>
            </select>
            {kernel && (
              <span id={`${ids.compute}-help`} className="muted small" data-testid="compute-description">
                {kernel.description}. One value per entry along the first axis; output type: {kernel.outputRule}.
              </span>
            )}
            {isExpression && (
              <span id={`${ids.compute}-help`} className="muted small" data-testid="compute-description">
                Your own formula, one value per entry along the first axis, evaluated in float64 and written as float32 for f2, f4 and 8/16-bit integers, float64 otherwise.
              </span>
            )}
            {choices.filter((choice) => choice.refusal !== null).map(({ kernel: k, refusal }) => (
              <span key={k.name} className="muted small block" data-testid="compute-refusal"><code>{k.name}</code> does not apply: {dataset.path} {refusal}.</span>
            ))}
          </div>
        </div>

        {isExpression && (
          <div className="form-grid">
            <label htmlFor={ids.expression}>Expression</label>
            <ExpressionField id={ids.expression} text={expressionText} onChange={(text) => update({ expressionText: text })} check={expressionCheck} recent={recentExpressions} />
          </div>
        )}

        <fieldset className="strategy-choice">
          <legend>Strategy</legend>
          {STRATEGIES.map((s) => (
            <label key={s} className={`choice-card${strategy === s ? ' checked' : ''}`}>
              <input
                type="radio" name="strategy" value={s} checked={strategy === s} onChange={() => update({ strategy: s })}
                aria-label={s} aria-describedby={`${ids.strategy}-${s}`}
              />
              <span className="choice-title">{s === 'dask' ? 'Dask cluster' : s}</span>
              <span className="choice-help" id={`${ids.strategy}-${s}`}>{STRATEGY_HELP[s]}</span>
            </label>
          ))}
        </fieldset>

        <div className="form-grid">
          {strategy === 'dask' && (
            <>
              <label htmlFor={ids.scheduler}>Dask cluster</label>
              <div>
                <input
                  id={ids.scheduler} value={settings.schedulerText} placeholder="blank: a local cluster" spellCheck={false}
                  onChange={(event) => update({ schedulerText: event.target.value })} aria-invalid={Boolean(schedulerError)}
                  aria-describedby={`${ids.scheduler}-help`} data-testid="dask-scheduler"
                />
                <span id={`${ids.scheduler}-help`} className={schedulerError ? 'field-error' : 'muted small'}>
                  {schedulerError ?? (scheduler
                    ? `The scheduler's workers run the blocks; they must see ${fileName} at the same path.`
                    : 'A local cluster of that many Dask worker processes, started for the run.')}
                </span>
              </div>
            </>
          )}
          <label htmlFor={ids.workers}>Workers</label>
          <div>
            <input
              id={ids.workers} type="number" min={1} max={MAX_WORKERS} value={strategy === 'inline' ? '1' : workersText}
              disabled={strategy === 'inline' || scheduler !== ''} onChange={(event) => update({ workersText: event.target.value })}
              aria-invalid={Boolean(workersError)} aria-describedby={`${ids.workers}-help`}
            />
            <span id={`${ids.workers}-help`} className={workersError ? 'field-error' : 'muted small'}>
              {strategy === 'inline' ? 'Inline runs on the main thread only.'
                : scheduler !== '' ? 'The cluster has its own workers.' : workersError ?? workersNote}
            </span>
          </div>

          <label htmlFor={ids.blockRows}>Block rows</label>
          <div>
            <input
              id={ids.blockRows} type="number" min={1} value={blockRowsText} placeholder="default"
              onChange={(event) => update({ blockRowsText: event.target.value })} aria-invalid={Boolean(blockRowsError)}
              aria-describedby={`${ids.blockRows}-help`}
            />
            <span id={`${ids.blockRows}-help`} className={blockRowsError ? 'field-error' : 'muted small'} data-testid="block-plan">
              {blockRowsError ?? (
                <>
                  {formatInteger(plan.blockRows)} rows = {formatBytes(plan.blockBytes)} per block, {formatInteger(plan.blocks)} block{plan.blocks === 1 ? '' : 's'}
                  {blockRows === undefined && (dataset.chunks ? ` (default: whole chunks of ${formatInteger(dataset.chunks[0])} rows)` : ' (default)')}
                </>
              )}
            </span>
          </div>

          <label htmlFor={ids.output}>Output</label>
          <div>
            <input id={ids.output} value={outputText} onChange={(event) => update({ outputText: event.target.value })} spellCheck={false}
              aria-describedby={`${ids.output}-help`} aria-invalid={Boolean(outputError)} />
            <span id={`${ids.output}-help`} className={outputError ? 'field-error' : 'muted small'} data-testid="resolved-output">
              {outputError ?? <>→ <code>{output}</code>{existing && <span className="warning-text"> exists ({describeEntity(existing)})</span>}</>}
            </span>
          </div>

          <span className="form-label" id="if-exists-label">If it exists</span>
          <div role="radiogroup" aria-labelledby="if-exists-label" className="inline-radios">
            {([['ask', 'Ask me'], ['overwrite', 'Overwrite'], ['rename', 'Use a new name']] as const).map(([value, label]) => (
              <label key={value}>
                <input type="radio" name="if-exists" value={value} checked={ifExists === value} onChange={() => update({ ifExists: value })} />
                {label}
              </label>
            ))}
          </div>
        </div>

        <div className="live-run-choice">
          <label title="h5blocks becomes the file's SWMR writer for the run and flushes after each block, so h5py (swmr=True) and other SWMR readers see the output fill in">
            <input type="checkbox" checked={live} onChange={(event) => setLive(event.target.checked)} data-testid="live-run" />
            {' '}Readable while running (SWMR)
          </label>
          {live && !liveStrategy && <span className="muted small"> — only inline and pool write their blocks in row order; this run will not be live</span>}
        </div>
        {upgradeAsk && (
          <div className="callout" role="alertdialog" aria-label="Upgrade the file's format?" data-testid="upgrade-format-ask">
            <p>{upgradeAsk.message.replace(/; run again with --upgrade-format.*$/, '.')}</p>
            <div className="button-row">
              <button type="button" className="primary" onClick={() => { const { params } = upgradeAsk; setUpgradeAsk(null); void launch({ ...params, upgradeFormat: true }); }}>Upgrade and run</button>
              <button type="button" onClick={() => setUpgradeAsk(null)}>Cancel</button>
            </div>
          </div>
        )}

        <div className="button-row">
          <button type="submit" className="primary" disabled={invalid || running || starting} data-testid="run-button">
            {starting ? 'Starting…' : 'Run'}
          </button>
          {blocked && !running && !starting && (
            <span className="run-blocked" role="alert" data-testid="run-blocked">
              <span className="field-error">{blocked.message}</span>
              <button type="button" data-testid="run-retry" onClick={() => void launch(blocked.params)}>Retry</button>
            </span>
          )}
          </div>
      </form>
      {collision && (
        <CollisionDialog
          collision={collision}
          problemWith={async (name) => {
            const target = resolveOutputPath(dataset.path, name);
            const found = name.includes('..') ? null : await api.getEntity(fileId, target).catch(() => null);
            return outputNameProblem(dataset.path, name, found, { plainName: true });
          }}
          onCancel={() => setCollision(null)}
          onOverwrite={() => void launch({ ...collision.params, overwrite: true })}
          onRename={(name) => void launch({ ...collision.params, output: resolveOutputPath(dataset.path, name), overwrite: false })}
        />
      )}
      <StatsSection fileId={fileId} dataset={dataset} strategy={strategy} workers={workersError ? 1 : workers} />
    </>
  );
}

function describeEntity(entity: Entity): string {
  if (entity.kind === 'dataset') return `a dataset (${entity.dtype.description}, shape ${formatShape(entity.shape)})`;
  if (entity.kind === 'group') return 'a group';
  return `a ${entity.kind.replace('-', ' ')}`;
}

/** The engine's conflict message already says why; keep the reason part for the dialog's sentence. */
function conflictReason(message: string): string {
  const match = /cannot overwrite [^:]+: (.*?)(\. h5wasm|$)/.exec(message);
  return match ? match[1] : message;
}
