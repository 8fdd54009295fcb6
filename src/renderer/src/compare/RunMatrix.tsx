import { useEffect, useRef, useState } from 'react';
import type { RunRecord } from '../../../shared/api';
import { toErrorInfo } from '../../../shared/errors';
import { MAX_WORKERS, STRATEGIES, type Strategy } from '../../../shared/run';
import { hasDecompression } from '../format/hdf5';
import { formatInteger } from '../format/units';
import { isRunnable } from '../run/eligibility';
import { useRuns } from '../run/runsStore';
import { resolveOutputPath } from '../workspace/paths';
import { useSelectedObject } from '../workspace/workspace';
import { verdict } from './bottleneck';
import { defaultWorkerCounts, matrixConfigs, parseBlockSizes, parseWorkerCounts } from './matrix';
import { compareRuns } from './metrics';

export interface MatrixOutcome {
  fastestId: string;
  sentence: string;
}

type Status =
  | { state: 'idle' }
  | { state: 'running'; index: number; total: number; label: string }
  | { state: 'stopped'; message: string };

/**
 * Runs every strategy × worker count × block size on the selected dataset, one
 * after another (overwriting the output each time), then names the fastest
 * configuration and why it won.
 */
export function RunMatrix({ onFinished }: { onFinished: (outcome: MatrixOutcome) => void }) {
  const selected = useSelectedObject();
  const runs = useRuns();
  const cores = runs.appInfo?.cores ?? 1;
  const [strategies, setStrategies] = useState<Strategy[]>([...STRATEGIES]);
  const [workersText, setWorkersText] = useState(defaultWorkerCounts(cores).join(', '));
  const [blocksText, setBlocksText] = useState('default');
  const [outputText, setOutputText] = useState('distances');
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const stopRequested = useRef(false);

  useEffect(() => setWorkersText(defaultWorkerCounts(cores).join(', ')), [cores]);

  const dataset = selected?.entity;
  if (!selected || !isRunnable(dataset)) {
    return <p className="muted" data-testid="matrix-needs-dataset">Select a 2-D numeric dataset in the tree to run a matrix of configurations on it.</p>;
  }
  const workerCounts = parseWorkerCounts(workersText, MAX_WORKERS);
  const blockSizes = parseBlockSizes(blocksText);
  const configs = typeof workerCounts === 'string' || typeof blockSizes === 'string' ? [] : matrixConfigs(strategies, workerCounts, blockSizes);
  const problem = typeof workerCounts === 'string' ? workerCounts : typeof blockSizes === 'string' ? blockSizes
    : configs.length === 0 ? 'Choose at least one strategy.' : null;
  const running = status.state === 'running';

  async function start() {
    if (!selected || !isRunnable(dataset)) return;
    stopRequested.current = false;
    const finished: RunRecord[] = [];
    const output = resolveOutputPath(dataset.path, outputText);
    for (const [index, config] of configs.entries()) {
      if (stopRequested.current) break;
      const label = `${config.strategy}${config.strategy === 'inline' ? '' : ` · ${config.workers} workers`} · ${config.blockRows ? `${formatInteger(config.blockRows)}-row` : 'default'} blocks`;
      setStatus({ state: 'running', index, total: configs.length, label });
      try {
        const runId = await runs.start(
          { fileId: selected.file.id, dataset: dataset.path, strategy: config.strategy, workers: config.workers, blockRows: config.blockRows, output, overwrite: true },
          selected.file.name,
          { openOutput: false },
        );
        finished.push(await runs.waitFor(runId));
      } catch (failure) {
        const info = toErrorInfo(failure);
        setStatus({ state: 'stopped', message: `Stopped at run ${index + 1} of ${configs.length} (${label}): ${info.message}` });
        return;
      }
    }
    if (finished.length === 0) {
      setStatus({ state: 'stopped', message: 'Stopped before any run finished.' });
      return;
    }
    const fastest = finished.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const speedup = compareRuns([...runs.records, ...finished]).find((c) => c.record.id === fastest.id)?.speedup ?? null;
    onFinished({ fastestId: fastest.id, sentence: verdict(fastest, speedup, hasDecompression(dataset)) });
    setStatus(stopRequested.current
      ? { state: 'stopped', message: `Stopped after ${finished.length} of ${configs.length} runs; the verdict covers those.` }
      : { state: 'idle' });
  }

  return (
    <div className="run-matrix" data-testid="run-matrix">
      <p className="muted small">
        On <code>{dataset.path}</code> in {selected.file.name}, one run after another; each overwrites <code>{resolveOutputPath(dataset.path, outputText)}</code>.
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
          <input value={workersText} onChange={(event) => setWorkersText(event.target.value)} disabled={running} />
        </label>
        <label className="field">
          <span>Block sizes (rows)</span>
          <input value={blocksText} onChange={(event) => setBlocksText(event.target.value)} disabled={running} placeholder="default, 200, 1000" />
        </label>
        <label className="field">
          <span>Output</span>
          <input value={outputText} onChange={(event) => setOutputText(event.target.value)} disabled={running} />
        </label>
      </div>
      {problem && <p className="field-error">{problem}</p>}
      <div className="button-row">
        <button type="button" className="primary" disabled={running || problem !== null} onClick={() => void start()} data-testid="matrix-start">
          Run matrix ({formatInteger(configs.length)} run{configs.length === 1 ? '' : 's'})
        </button>
        <button type="button" disabled={!running} onClick={() => {
          stopRequested.current = true;
          void runs.cancel();
        }}>
          Stop
        </button>
        {status.state === 'running' && (
          <span className="muted" role="status" data-testid="matrix-status">Run {status.index + 1} of {status.total}: {status.label}</span>
        )}
      </div>
      {status.state === 'stopped' && <p className="inline-error" role="alert">{status.message}</p>}
    </div>
  );
}
