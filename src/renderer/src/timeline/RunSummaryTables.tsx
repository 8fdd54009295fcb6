import { formatDuration, formatPercent } from '../format/units';
import type { LaneBusy } from './model';
import type { PhaseTotal } from '@shared/run';
import { PHASE_COLORS, PHASE_HELP } from './phases';

/** Per-phase totals summed over every thread: with several workers they can exceed the wall time. */
export function PhaseTotalsTable({ totals }: { totals: PhaseTotal[] }) {
  const work = totals.filter((t) => t.phase !== 'queue').reduce((sum, t) => sum + t.ms, 0);
  return (
    <table className="data-table compact" data-testid="phase-totals">
      <thead>
        <tr><th scope="col">Phase</th><th scope="col" className="numeric">Total</th><th scope="col" className="numeric" title="Share of all work (queue wait excluded)">Share of work</th></tr>
      </thead>
      <tbody>
        {totals.map(({ phase, ms }) => (
          <tr key={phase} title={PHASE_HELP[phase]}>
            <th scope="row"><span className="swatch small" style={{ background: PHASE_COLORS[phase] }} aria-hidden="true" />{phase}</th>
            <td className="numeric">{formatDuration(ms)}</td>
            <td className="numeric">{phase === 'queue' ? <span className="muted">waiting</span> : <ShareBar fraction={work > 0 ? ms / work : 0} color={PHASE_COLORS[phase]} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function UtilisationTable({ lanes }: { lanes: LaneBusy[] }) {
  return (
    <table className="data-table compact" data-testid="utilisation">
      <thead>
        <tr><th scope="col">Lane</th><th scope="col" className="numeric">Busy</th><th scope="col" className="numeric">Utilisation</th></tr>
      </thead>
      <tbody>
        {lanes.map((lane) => (
          <tr key={lane.label} title={lane.detail}>
            <th scope="row">{lane.label}</th>
            <td className="numeric">{formatDuration(lane.busyMs)}</td>
            <td className="numeric"><ShareBar fraction={lane.utilisation} color="#59a14f" /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ShareBar({ fraction, color }: { fraction: number; color: string }) {
  return (
    <span className="share">
      <span className="share-track" aria-hidden="true"><span className="share-fill" style={{ width: `${Math.min(100, fraction * 100)}%`, background: color }} /></span>
      <span className="share-text">{formatPercent(fraction)}</span>
    </span>
  );
}
