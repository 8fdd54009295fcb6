import type { Phase } from '@shared/run';
import { PHASE_COLORS, PHASE_HELP } from './phases';

export function PhaseLegend({ phases }: { phases: Phase[] }) {
  return (
    <ul className="phase-legend" aria-label="Phase colours" data-testid="phase-legend">
      {phases.map((phase) => (
        <li key={phase} title={PHASE_HELP[phase]}>
          <span className={`swatch${phase === 'queue' ? ' thin' : ''}`} style={{ background: PHASE_COLORS[phase] }} aria-hidden="true" />
          {phase}
        </li>
      ))}
    </ul>
  );
}
