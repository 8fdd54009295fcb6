// Numbers as a scientist reads them: thousands separators, units, and no more
// digits than the measurement deserves. One locale ('en-US') so screenshots,
// CSV files and tests read the same on every machine.

const LOCALE = 'en-US';

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

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
  return new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: digits }).format(value);
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
  return `${value.toLocaleString(LOCALE, { maximumFractionDigits: value < 10 ? 2 : 1 })} ${BYTE_UNITS[unit]}`;
}

/** Durations from microseconds to hours, with the unit that keeps the number short. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${(ms * 1000).toLocaleString(LOCALE, { maximumFractionDigits: 0 })} µs`;
  if (ms < 1000) return `${ms.toLocaleString(LOCALE, { maximumFractionDigits: ms < 10 ? 2 : 1 })} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toLocaleString(LOCALE, { maximumFractionDigits: seconds < 10 ? 2 : 1 })} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/** Large counts kept short so columns of them compare at a glance: 1,234 / 12.3 k / 4.56 M. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${(value / 1e9).toLocaleString(LOCALE, { maximumFractionDigits: 2 })} G`;
  if (magnitude >= 1e6) return `${(value / 1e6).toLocaleString(LOCALE, { maximumFractionDigits: 2 })} M`;
  if (magnitude >= 1e4) return `${(value / 1e3).toLocaleString(LOCALE, { maximumFractionDigits: 1 })} k`;
  return value.toLocaleString(LOCALE, { maximumFractionDigits: magnitude < 10 ? 2 : 0 });
}

/** Rates such as rows/s: "12.3 k rows/s". */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${formatCompact(perSecond)} ${unit}`;
}

export function formatPercent(fraction: number, digits = 0): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toLocaleString(LOCALE, { maximumFractionDigits: digits, minimumFractionDigits: digits })} %`;
}

/** `1,000 × 2`; unlimited maximum dimensions read as ∞. */
export function formatShape(shape: (number | null)[] | null): string {
  if (shape === null) return 'none (null dataspace)';
  if (shape.length === 0) return 'scalar';
  return shape.map((n) => (n === null ? '∞' : formatInteger(n))).join(' × ');
}

export function formatFactor(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value.toLocaleString(LOCALE, { maximumFractionDigits: 2, minimumFractionDigits: 2 })}×`;
}
