import { NO_NON_FINITE, type NonFiniteCounts } from '@shared/run';
// The Run tab's expression box asks, as the user types: is this expression
// good for this dataset, and what does it give on the first rows? Answered in
// the file's I/O thread: the dataset is checked as a run checks it, the first
// rows are read as a run reads them (a bounded read), and the expression is
// compiled and evaluated by the same kernel the run uses, so the preview shows
// the run's own first values.
import { encodeNumber } from '@shared/wireValues';
import { encodePreviewValues, PREVIEW_INPUT_ELEMENTS, PREVIEW_ROWS, PREVIEW_VALUE_LIMIT, type ExpressionPreview } from '@shared/expression';
import { compileExpression, validate } from '../../workers/kernels/expression';
import { blockElements } from '../../workers/kernels/kernel';
import { loadH5, type H5File } from '../hdf5/h5wasm';
import { readRows } from '../hdf5/rows';
import { usableInput } from '../run/inputDataset';

const formatCount = (n: number) => n.toLocaleString('en-US');

export async function previewExpression(file: H5File, path: string, text: string): Promise<ExpressionPreview> {
  const { module } = await loadH5();
  // A dataset no run can use is refused as the run would refuse it (one line naming file and object).
  const input = usableInput(module, file, path);
  const checked = validate(text, input.shape, input.kind);
  if (!checked.ok) return { ok: false, position: checked.position, message: checked.message };
  const perRow = checked.elementsPerRow;
  const readable = Math.floor(PREVIEW_VALUE_LIMIT / Math.max(perRow, 1));
  const rows = Math.min(PREVIEW_ROWS, input.rows, readable);
  const kernel = compileExpression(text, input.shape, input.kind);
  const out = kernel.outputType === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
  let nonFinite: NonFiniteCounts = NO_NON_FINITE;
  let inputs: (number | string)[][] | undefined;
  if (rows > 0) {
    const buffer = readRows(module, file, input.dataset, input.elementBytes, input.shape.slice(1), 0, rows);
    const elements = blockElements({ buffer, kind: input.kind, rows, columns: perRow, firstRow: 0 });
    nonFinite = kernel.runBlock(elements, rows, 0, out);
    if (perRow <= PREVIEW_INPUT_ELEMENTS) {
      inputs = Array.from({ length: rows }, (_, row) => Array.from({ length: perRow }, (_, k) => encodeNumber(elements[row * perRow + k])));
    }
  }
  const note = rows < Math.min(PREVIEW_ROWS, input.rows)
    ? `each row holds ${formatCount(perRow)} values; the preview reads at most ${formatCount(PREVIEW_VALUE_LIMIT)} values, so it shows ${rows === 0 ? 'none' : `the first ${rows}`}`
    : undefined;
  return {
    ok: true, outputType: kernel.outputType, rows: input.rows, values: encodePreviewValues(out), ...(inputs ? { inputs } : {}), nonFinite,
    ...(note ? { note } : {}),
  };
}
