// `h5blocks bench --only expr`: the expression case runs the three whole
// processes on a small input and reports each figure (no timing is asserted:
// speed belongs to the bench itself).
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';

describe('bench --only expr', () => {
  it('times run --expr, run --compute norm and h5py + numpy, and says each target\'s verdict', async () => {
    const bench = await runCli(['bench', '--only', 'expr', '--rows', '20000', '--pairs', '3', '--json']);
    expect(bench.status).toBe(0);
    const report = JSON.parse(bench.stdout) as { exprCase: Record<string, unknown> | null; rows: unknown[]; users: unknown };
    expect(report.exprCase).toMatchObject({ expression: 'sqrt(x[0]**2 + x[1]**2)', rounds: 3, target: 1.5 });
    const figures = report.exprCase!;
    for (const name of ['exprSeconds', 'normSeconds', 'numpySeconds', 'vsKernel', 'vsNumpy']) expect(figures[name], name).toBeGreaterThan(0);
    expect(['PASS', 'FAIL']).toContain(figures.status);
    expect(['PASS', 'FAIL']).toContain(figures.numpyStatus);
    // Only the case asked for ran.
    expect(report.rows).toEqual([]);
    expect(report.users).toBeNull();
    const text = await runCli(['bench', '--only', 'expr', '--rows', '5000', '--pairs', '3']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/h5blocks run --expr 'sqrt\(x\[0\]\*\*2 \+ x\[1\]\*\*2\)' [\d.]+ s/);
    expect(text.stdout).toMatch(/the expression takes [\d.]+× the kernel's time \(target ≤ 1\.5×\) (PASS|FAIL)/);
  }, 300_000);
});
