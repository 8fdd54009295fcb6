import { useState } from 'react';
import { MAX_WORKERS, STRATEGIES, defaultOutputName, type Strategy } from '@shared/run';
import { formatInteger } from '../format/units';
import { isRunnable, kernelChoices } from '../run/eligibility';
import { EXPRESSION_CHOICE, useRunSettings } from '../run/runSettings';
import { useRuns } from '../run/runsStore';
import { resolveOutputPath } from '../workspace/paths';
import { useSelectedObject } from '../workspace/workspace';
import { DEFAULT_REPEATS, MAX_REPEATS, MIN_REPEATS, defaultWorkerCounts, matrixConfigs, parseBlockSizes, parseRepeats, parseWorkerCounts } from './matrix';
import { describeConfig, useMatrix } from './matrixRunner';
import { useApi } from '../app/apiContext';
import { useAsync } from '../ui/useAsync';

/** The run matrix form: strategies × worker counts × block sizes on the selected dataset. */
export function RunMatrix() {
  const selected = useSelectedObject();
  const { appInfo } = useRuns();
  const matrix = useMatrix();
  const { api } = useApi();
  const cores = appInfo?.cores ?? 1;
  // Dask starts a cluster per run, and vds leaves a shard folder beside the file: ticked on request, not by default.
  const [strategies, setStrategies] = useState<Strategy[]>(STRATEGIES.filter((s) => s !== 'dask' && s !== 'vds'));
  const [workersText, setWorkersText] = useState<string | null>(null);
  const [blocksText, setBlocksText] = useState('default');
  // null until edited: the output is named after the computation.
  const [outputText, setOutputText] = useState<string | null>(null);
  const [repeatsText, setRepeatsText] = useState(String(DEFAULT_REPEATS));
  const running = matrix.status.state === 'running';
  const { settings } = useRunSettings(selected ? `${selected.file.id}:${selected.entity?.path ?? ''}` : '');

  const dataset = selected?.entity;
  const shownWorkers = workersText ?? defaultWorkerCounts(cores).join(', ');
  const workerCounts = parseWorkerCounts(shownWorkers, MAX_WORKERS);
  const blockSizes = parseBlockSizes(blocksText);
  const configs = typeof workerCounts === 'string' || typeof blockSizes === 'string' ? [] : matrixConfigs(strategies, workerCounts, blockSizes);
  // Each configuration named by the block rows its runs will use: the engine's rule, asked of the main process.
  const planFor = selected && isRunnable(dataset) ? { fileId: selected.file.id, path: dataset.path } : null;
  const planned = useAsync(
    () => (planFor && configs.length > 0 ? api.planRuns(planFor.fileId, planFor.path, configs.map(({ strategy, workers, blockRows }) => ({ strategy, workers, blockRows }))) : Promise.resolve([])),
    [api, planFor?.fileId, planFor?.path, JSON.stringify(configs), dataset],
  );
  const named = configs.map((config, i) => (planned.status === 'done' && planned.value[i] ? { ...config, plannedRows: planned.value[i].blockRows } : config));
  if (!selected || !isRunnable(dataset)) {
    return (
      <div className="run-matrix">
        {running && <MatrixStatusLine />}
        <p className="muted" data-testid="matrix-needs-dataset">Select a numeric dataset in the tree to run a matrix of configurations on it.</p>
      </div>
    );
  }
  const repeats = parseRepeats(repeatsText);
  const problem = typeof workerCounts === 'string' ? workerCounts : typeof blockSizes === 'string' ? blockSizes
    : typeof repeats === 'string' ? repeats : configs.length === 0 ? 'Choose at least one strategy.' : null;
  const totalRuns = configs.length * (typeof repeats === 'number' ? repeats : 0);
  // The Run tab's computation for this dataset, when it applies here.
  const offered = kernelChoices(dataset).filter((choice) => choice.refusal === null).map((choice) => choice.kernel.name);
  // An expression chosen in the Run tab is run as typed there (a refused one stops the matrix at its first run, saying why).
  const expression = settings.compute === EXPRESSION_CHOICE && settings.expressionText.trim() !== '' ? settings.expressionText : undefined;
  const compute = expression !== undefined ? EXPRESSION_CHOICE : offered.includes(settings.compute) ? settings.compute : offered[0] ?? 'norm';
  const shownOutput = outputText ?? defaultOutputName(dataset.path, compute);
  const output = resolveOutputPath(dataset.path, shownOutput);

  return (
    <div className="run-matrix" data-testid="run-matrix">
      <p className="muted small">
        {expression !== undefined ? <>The expression <code data-testid="matrix-expression">{expression}</code></> : <code>{compute}</code>} (the Run tab's computation) on <code>{dataset.path}</code> in {selected.file.name}, one run after another; each overwrites <code>{output}</code>.
        Each configuration runs several times and is ranked by its median rows/s, with its spread.
      </p>
      <div className="matrix-fields">
        <fieldset>
          <legend>Strategies</legend>
          {STRATEGIES.map((s) => (
            <label key={s} className="checkbox">
              <input
                type="checkbox" checked={strategies.includes(s)} disabled={running}
                onChange={(event) => setStrategies((all) => (event.target.checked ? [...all, s] : all.filter((x) => x !== s)))}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Worker counts</span>
          <input value={shownWorkers} onChange={(event) => setWorkersText(event.target.value)} disabled={running} />
        </label>
        <label className="field">
          <span>Block sizes (rows)</span>
          <input value={blocksText} onChange={(event) => setBlocksText(event.target.value)} disabled={running} placeholder="default, 200, 1000" />
        </label>
        <label className="field">
          <span>Repeats</span>
          <input
            type="number" min={MIN_REPEATS} max={MAX_REPEATS} value={repeatsText} disabled={running} data-testid="matrix-repeats"
            onChange={(event) => setRepeatsText(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Output</span>
          <input value={shownOutput} onChange={(event) => setOutputText(event.target.value)} disabled={running} />
        </label>
      </div>
      {problem && <p className="field-error">{problem}</p>}
      {!problem && (
        <ul className="matrix-configs small" data-testid="matrix-configs" aria-label="Configurations">
          {named.map((config) => <li key={`${config.strategy}/${config.workers}/${config.blockRows ?? 'default'}`} data-testid="matrix-config">{describeConfig(config)}</li>)}
        </ul>
      )}
      <div className="button-row">
        <button
          type="button" className="primary" disabled={running || problem !== null} data-testid="matrix-start"
          onClick={() => typeof repeats === 'number' && void matrix.start({ fileId: selected.file.id, fileName: selected.file.name, dataset, compute, ...(expression !== undefined ? { expression } : {}), output, configs: named, repeats })}
        >
          Run matrix ({formatInteger(configs.length)} configuration{configs.length === 1 ? '' : 's'} × {typeof repeats === 'number' ? repeats : '?'} = {formatInteger(totalRuns)} runs)
        </button>
        <MatrixStatusLine />
      </div>
    </div>
  );
}

function MatrixStatusLine() {
  const { status, stop } = useMatrix();
  if (status.state === 'idle') return null;
  if (status.state === 'stopped') return <p className="inline-error" role="alert">{status.message}</p>;
  return (
    <>
      <button type="button" onClick={stop}>Stop</button>
      <span className="muted" role="status" data-testid="matrix-status">Run {status.index + 1} of {status.total}: {status.label}</span>
    </>
  );
}
