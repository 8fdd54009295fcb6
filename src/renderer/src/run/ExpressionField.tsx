// The Run tab's expression box: the text, its live check and its preview. The
// main process parses the text against the dataset and computes the first
// results on its first rows (H5BlocksApi.previewExpression); this page never
// evaluates it (its Content-Security-Policy forbids generated code anyway).
import { useEffect, useState } from 'react';
import { toErrorInfo } from '@shared/errors';
import { describeNonFinite, type ExpressionPreview } from '@shared/expression';
import { useApi } from '../app/apiContext';
import { formatInteger } from '../format/units';

export type ExpressionCheck =
  | { state: 'empty' }
  /** Asked; `shown` is the answer for the text before, kept on screen (dimmed) so typing does not flicker. */
  | { state: 'pending'; text: string; shown?: Extract<ExpressionCheck, { state: 'checked' | 'failed' }> }
  | { state: 'checked'; text: string; preview: ExpressionPreview }
  /** The check itself failed (the file was closed, the dataset cannot be read): said as it is. */
  | { state: 'failed'; text: string; message: string };

/** Waits this long after a keystroke before asking, so typing does not queue a request per character. */
export const CHECK_DELAY_MS = 150;

/** The expression checked against the dataset, again whenever the text changes (the newest answer wins). */
export function useExpressionCheck(fileId: string, dataset: string, text: string): ExpressionCheck {
  const { api } = useApi();
  const [check, setCheck] = useState<ExpressionCheck>({ state: 'empty' });
  useEffect(() => {
    if (text.trim() === '') {
      setCheck({ state: 'empty' });
      return;
    }
    let current = true;
    setCheck((before) => ({
      state: 'pending', text,
      ...(before.state === 'checked' || before.state === 'failed' ? { shown: before } : before.state === 'pending' && before.shown ? { shown: before.shown } : {}),
    }));
    const timer = setTimeout(() => {
      api.previewExpression(fileId, dataset, text).then(
        (preview) => current && setCheck({ state: 'checked', text, preview }),
        (error: unknown) => current && setCheck({ state: 'failed', text, message: toErrorInfo(error).message }),
      );
    }, CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, fileId, dataset, text]);
  return check;
}

/** Whether `text` itself (not the text before it, whose answer may still be on screen) was checked and is good. */
export function isRunnableExpression(check: ExpressionCheck, text: string): boolean {
  return check.state === 'checked' && check.text === text && check.preview.ok;
}

export function ExpressionField({ id, text, onChange, check, recent }: {
  id: string;
  text: string;
  onChange: (text: string) => void;
  check: ExpressionCheck;
  recent: string[];
}) {
  const refused = check.state === 'checked' && !check.preview.ok ? check.preview : null;
  const listId = `${id}-recent`;
  return (
    <div className="expression-field">
      <input
        id={id} className="expression-input" value={text} onChange={(event) => onChange(event.target.value)} spellCheck={false} autoComplete="off"
        placeholder="e.g. hypot(x[0] - 0.5, x[1] - 0.5)" list={recent.length > 0 ? listId : undefined}
        aria-invalid={Boolean(refused) || check.state === 'failed'} aria-describedby={`${id}-check`} data-testid="expression-input"
      />
      {recent.length > 0 && (
        <datalist id={listId} data-testid="recent-expressions">
          {recent.map((item) => <option key={item} value={item} />)}
        </datalist>
      )}
      <div id={`${id}-check`} className="expression-check" aria-live="polite">
        <ExpressionCheckView check={check} recentCount={recent.length} />
      </div>
    </div>
  );
}

function ExpressionCheckView({ check, recentCount }: { check: ExpressionCheck; recentCount: number }) {
  if (check.state === 'empty') {
    return (
      <span className="muted small" data-testid="expression-help">
        One value per row: <code>x</code> is the row (<code>x[0]</code> its first column, <code>x[j, k]</code> an element of a frame), <code>i</code> its index;
        {' '}<code>+ - * / % **</code>, comparisons, <code>where(c, a, b)</code>, <code>sqrt abs exp log hypot min max floor round</code>…
        and <code>sum mean min max count</code> over the row.{recentCount > 0 ? ' Recent expressions are offered in the box.' : ''}
      </span>
    );
  }
  if (check.state === 'pending') {
    if (!check.shown) return <span className="muted small" data-testid="expression-pending">Checking…</span>;
    return <div className="expression-stale" aria-busy="true" data-testid="expression-pending"><ExpressionCheckView check={check.shown} recentCount={recentCount} /></div>;
  }
  if (check.state === 'failed') return <span className="field-error" role="alert" data-testid="expression-error">{check.message}</span>;
  const { preview, text } = check;
  if (!preview.ok) {
    return (
      <div className="field-error" role="alert" data-testid="expression-error">
        {preview.position > 0 && <code className="expression-at" data-testid="expression-at">{markAt(text, preview.position)}</code>}
        <span data-testid="expression-message">{preview.position > 0 ? `At character ${preview.position}: ` : ''}{preview.message}</span>
      </div>
    );
  }
  return <PreviewTable preview={preview} />;
}

/** The text with the refused character marked (a marked space when the problem is at its end). */
function markAt(text: string, position: number) {
  const at = Math.min(position - 1, text.length);
  return <>{text.slice(0, at)}<mark>{text.slice(at, at + 1) || ' '}</mark>{text.slice(at + 1)}</>;
}

function PreviewTable({ preview }: { preview: Extract<ExpressionPreview, { ok: true }> }) {
  const values = preview.values as number[];
  const inputs = preview.inputs as number[][] | undefined;
  // The output type is float32 exactly when the input's values are all float32 values (f2, f4, 8/16-bit integers): inputs print by it too.
  const odd = preview.nonFinite.nan + preview.nonFinite.posInf + preview.nonFinite.negInf;
  return (
    <div className="expression-preview" data-testid="expression-preview">
      <span className="muted small" data-testid="expression-preview-summary">
        {values.length > 0
          ? `The first ${formatInteger(values.length)} of ${formatInteger(preview.rows)} results (${preview.outputType})${preview.note ? `; ${preview.note}` : ''}:`
          : `The expression is good (${preview.outputType} results); nothing to preview: ${preview.note ?? 'the dataset has no rows'}.`}
      </span>
      {odd > 0 && (
        <span className="warning-text small block" data-testid="expression-non-finite">
          {describeNonFinite(preview.nonFinite)} among these: allowed (e.g. a division by zero, or a NaN in the input); the run writes them as they are and counts them.
        </span>
      )}
      {values.length > 0 && (
        <table className="data-table expression-preview-table">
          <thead><tr><th scope="col">i</th>{inputs && <th scope="col">x</th>}<th scope="col">value</th></tr></thead>
          <tbody>
            {values.map((value, row) => (
              <tr key={row} data-testid="preview-row">
                <td className="numeric">{row}</td>
                {inputs && <td className="numeric muted">{inputs[row].map((v) => formatPreviewValue(v, preview.outputType)).join(', ')}</td>}
                <td className="numeric" data-testid="preview-value">{formatPreviewValue(value, preview.outputType)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * A value as the run writes it: the shortest decimal that reads back as the
 * same float32 (or float64), so it can be checked against numpy's figures.
 */
export function formatPreviewValue(value: number, type: 'float32' | 'float64'): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
  if (type === 'float64') return String(value);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(value.toPrecision(digits));
    if (Math.fround(shortest) === value) return String(shortest);
  }
  return String(value);
}
