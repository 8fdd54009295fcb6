import { useState } from 'react';
import { Modal } from '../ui/Modal';

export interface Collision {
  /** The output path that is taken. */
  output: string;
  /** What stands there, in words ("a dataset (32-bit float, shape 1,000)"). */
  existing: string;
  /** Why overwriting is impossible, or null when Overwrite is allowed. */
  overwriteRefusal: string | null;
  suggestedName: string;
}

/**
 * The seed's "Name already exists" moment, answered with choices instead of a
 * stack trace: overwrite the old output, write under a new name, or stop.
 */
export function CollisionDialog({ collision, problemWith, onOverwrite, onRename, onCancel }: {
  collision: Collision;
  /** Why a typed new name cannot be used (see outputName.ts), or null. */
  problemWith: (name: string) => Promise<string | null>;
  onOverwrite: () => void;
  onRename: (path: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(collision.suggestedName);
  const [problem, setProblem] = useState<string | null>(null);
  const canOverwrite = collision.overwriteRefusal === null;
  return (
    <Modal
      title={canOverwrite ? `${collision.output} already exists` : `${collision.output} cannot be overwritten`}
      onClose={onCancel}
      testId="collision-dialog"
      actions={
        <>
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="submit" form="collision-form" className={canOverwrite ? '' : 'primary'} disabled={!name.trim()}>New name</button>
          {canOverwrite && <button type="button" className="danger" onClick={onOverwrite}>Overwrite</button>}
        </>
      }
    >
      <p>
        The output path <code>{collision.output}</code> is already taken by {collision.existing}.
      </p>
      {canOverwrite
        ? <p>Overwrite replaces its values with this run's result. A new name keeps it and writes beside it.</p>
        : (
          <p data-testid="overwrite-refusal">
            It cannot be overwritten: {collision.overwriteRefusal}. h5blocks rewrites an existing output in place
            (it cannot delete HDF5 objects), so only a 1-D float dataset of the right size can be replaced. Choose a new name.
          </p>
        )}
      <form id="collision-form" onSubmit={(event) => {
        event.preventDefault();
        // React bubbles events through portals: keep this submit from reaching a form the dialog was opened from.
        event.stopPropagation();
        const typed = name.trim();
        void problemWith(typed).then((found) => (found ? setProblem(found) : onRename(typed)));
      }}>
        <label className="field">
          <span>New output name</span>
          <input
            data-autofocus={canOverwrite ? undefined : true} value={name} spellCheck={false}
            aria-invalid={problem !== null} aria-describedby="collision-name-problem"
            onChange={(event) => {
              setName(event.target.value);
              setProblem(null);
            }}
          />
          {problem && <span className="field-error" id="collision-name-problem" role="alert" data-testid="new-name-problem">{problem}</span>}
        </label>
      </form>
    </Modal>
  );
}
