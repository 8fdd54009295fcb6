// The output's SHA-256 is computed on a thread of its own for large outputs
// (src/main/run/outputHash.ts): whatever thread does it, the digest must be the
// SHA-256 of the values in output order, runs at the same time must not mix,
// and a cancelled run must not disturb the next.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outputHash } from '../src/main/run/outputHash';

const BLOCK = 1 << 20; // float32 values per block: 4 MiB

function block(seed: number, memory: 'plain' | 'shared' = 'plain'): Float32Array {
  const values = new Float32Array(memory === 'shared' ? new SharedArrayBuffer(BLOCK * 4) : new ArrayBuffer(BLOCK * 4));
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(seed * 7919 + i);
  return values;
}

function expectedDigest(blocks: Float32Array[]): string {
  const hash = createHash('sha256');
  for (const values of blocks) hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return hash.digest('hex');
}

describe('the output hash', () => {
  it('gives the SHA-256 of the values in order, and takes the blocks\' buffers instead of copying them', async () => {
    const blocks = [0, 1, 2, 3].map((seed) => block(seed));
    const expected = expectedDigest(blocks);
    const hash = outputHash(blocks.length * BLOCK * 4);
    for (const values of blocks) hash.update(values);
    expect(blocks.every((values) => values.byteLength === 0)).toBe(true); // moved to the hashing thread
    expect(await hash.digest()).toBe(expected);
  });

  it('hashes memory that cannot move (shared, or a view into a larger buffer) from a copy', async () => {
    const shared = block(5, 'shared');
    const whole = block(6);
    const part = whole.subarray(1000, 5000);
    const expected = expectedDigest([shared, part]);
    const hash = outputHash(64 * 1024 * 1024);
    hash.update(shared);
    hash.update(part);
    expect(await hash.digest()).toBe(expected);
  });

  it('keeps runs at the same time apart, and a cancelled run leaves the next one right', async () => {
    const a = [block(10), block(11)];
    const b = [block(20), block(21)];
    const expected = [expectedDigest(a), expectedDigest(b)];
    const cancelled = outputHash(64 * 1024 * 1024);
    cancelled.update(block(30));
    cancelled.dispose();
    const [first, second] = [outputHash(64 * 1024 * 1024), outputHash(64 * 1024 * 1024)];
    first.update(a[0]);
    second.update(b[0]);
    first.update(a[1]);
    second.update(b[1]);
    expect(await Promise.all([first.digest(), second.digest()])).toEqual(expected);
  });

  it('hashes a small output where it is written', async () => {
    const values = new Float32Array([3, 4, 5]);
    const hash = outputHash(values.byteLength);
    hash.update(values);
    expect(values.byteLength).toBe(12); // not moved
    expect(await hash.digest()).toBe(expectedDigest([values]));
  });
});
