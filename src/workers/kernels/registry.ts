// Every computation h5blocks can run, one line each (see kernel.ts for what a kernel declares).
import type { RowKernel } from './kernel';
import { l1 } from './l1';
import { max } from './max';
import { maxabs } from './maxabs';
import { mean } from './mean';
import { min } from './min';
import { nanCount } from './nanCount';
import { norm } from './norm';
import { std } from './std';
import { sum } from './sum';

export const ROW_KERNELS: readonly RowKernel[] = [
  norm,
  l1,
  maxabs,
  sum,
  mean,
  min,
  max,
  std,
  nanCount,
];

export const DEFAULT_KERNEL = 'norm';

export function rowKernel(name: string): RowKernel | undefined {
  return ROW_KERNELS.find((kernel) => kernel.name === name);
}
