import { Piscina } from 'piscina';

/** Returns a result whose buffers move to the main thread instead of being copied. */
export function moveResult<T extends object>(value: T, transfer: ArrayBuffer[]): T {
  const movable = { [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: value };
  return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as T;
}
