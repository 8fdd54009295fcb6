import { LIVE_INTERVALS_MS, type LiveRefresh } from './useLiveRefresh';

/** The Live switch: refresh the selected dataset at a steady pace (see useLiveRefresh). */
export function LiveSwitch({ live, beingWritten }: { live: LiveRefresh; beingWritten: boolean }) {
  return (
    <div className="live-switch small" data-testid="live-switch">
      <label title="Read the selected dataset again at a steady pace, to follow a file that is being written">
        <input type="checkbox" role="switch" checked={live.on} aria-checked={live.on} onChange={(event) => live.setOn(event.target.checked)} />
        {' '}Live
      </label>
      <label>
        {' '}every{' '}
        <select aria-label="Live refresh interval" value={live.intervalMs} onChange={(event) => live.setIntervalMs(Number(event.target.value))} disabled={!live.on}>
          {LIVE_INTERVALS_MS.map((ms) => <option key={ms} value={ms}>{ms / 1000} s</option>)}
        </select>
      </label>
      <span className="muted" data-testid="live-state">
        {beingWritten ? (live.on ? ' following the SWMR writer' : ' being written (SWMR): paused') : ' the file is not being written'}
      </span>
    </div>
  );
}
