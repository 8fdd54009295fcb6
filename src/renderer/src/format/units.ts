// Numbers as a scientist reads them: thousands separators, units, and no more
// digits than the measurement deserves. One locale ('en-US') so screenshots,
// CSV files and tests read the same on every machine.

const LOCALE = 'en-US';

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

// toLocaleString with options builds a new Intl.NumberFormat on every call (tens of
// microseconds each); a timeline formats thousands of numbers, so formats are kept.
const formats = new Map<string, Intl.NumberFormat>();

function localized(value: number, options: Intl.NumberFormatOptions): string {
  const key = JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, options);
    formats.set(key, format);
  }
  return format.format(value);
}

export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

/** Up to `digits` significant digits, grouped: 1,234,567 or 0.00123 or 1.23e-9. */
export function formatNumber(value: number, digits = 6): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '−Inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e15) return value.toExponential(Math.max(0, digits - 1)).replace('+', '');
  return localized(value, { maximumSignificantDigits: digits });
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units (1 MB = 10^6 bytes), matching the MB/s the engine reports. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${formatInteger(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${localized(value, { maximumFractionDigits: value < 10 ? 2 : 1 })} ${BYTE_UNITS[unit]}`;
}

/** Durations from microseconds to hours, with the unit that keeps the number short. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${localized(ms * 1000, { maximumFractionDigits: 0 })} µs`;
  if (ms < 1000) return `${localized(ms, { maximumFractionDigits: ms < 10 ? 2 : 1 })} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${localized(seconds, { maximumFractionDigits: seconds < 10 ? 2 : 1 })} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/** Large counts kept short so columns of them compare at a glance: 1,234 / 12.3 k / 4.56 M. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${localized(value / 1e9, { maximumFractionDigits: 2 })} G`;
  if (magnitude >= 1e6) return `${localized(value / 1e6, { maximumFractionDigits: 2 })} M`;
  if (magnitude >= 1e4) return `${localized(value / 1e3, { maximumFractionDigits: 1 })} k`;
  return localized(value, { maximumFractionDigits: magnitude < 10 ? 2 : 0 });
}

/** Rates such as rows/s: "12.3 k rows/s". */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${formatCompact(perSecond)} ${unit}`;
}

export function formatPercent(fraction: number, digits = 0): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${localized(fraction * 100, { maximumFractionDigits: digits, minimumFractionDigits: digits })} %`;
}

/** `1,000 × 2`; unlimited maximum dimensions read as ∞. */
export function formatShape(shape: (number | null)[] | null): string {
  if (shape === null) return 'none (null dataspace)';
  if (shape.length === 0) return 'scalar';
  return shape.map((n) => (n === null ? '∞' : formatInteger(n))).join(' × ');
}

export function formatFactor(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${localized(value, { maximumFractionDigits: 2, minimumFractionDigits: 2 })}×`;
}
