// `h5blocks tree --json` on test files of the HDF Group's hdf5 repository
// (test/fixtures/hdf5-testfiles, see its README), compared with h5py's walk of
// the same file (test/support/h5pyWalk.py): the same objects with the same
// kinds, link targets and classes, shapes, types and attribute names. Among
// them: user-defined links, hard-link cycles, object references, an attribute
// whose dataspace is absurd, float16 attributes, variable-length types.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { corpusDir, projectRoot, systemPython } from './support/paths';

const run = promisify(execFile);
const folder = join(corpusDir, 'hdf5-testfiles');
const files = readdirSync(folder).filter((name) => name.endsWith('.h5')).sort();
/**
 * Files the h5py here cannot walk truly (Debian's, on HDF5 1.10): they hold
 * HDF5 1.12's references, on which it crashes (in attributes) or which it sizes
 * as their 18 stored bytes (h5dump 1.10 fails or says UNDEFINED too). They are
 * checked against what a current h5dump prints instead, below.
 */
const BEYOND_H5PY_HERE = new Set(['h5diff_attr3.h5', 'trefer_attr.h5']);
/** Files neither h5py nor h5blocks can read in full (an object whose header HDF5 refuses): checked for what is shown instead. */
const DAMAGED = new Set(['tbogus.h5']);
/** One file of a set HDF5 joins with its family or multi driver, here without its siblings: neither h5py nor h5blocks opens it alone. */
const PART_OF_A_SET = new Set(['family_file00000.h5', 'tmulti-s.h5']);

interface TreeNode {
  kind: string;
  path: string;
  hardLinkTo?: string;
  target?: string;
  file?: string;
  linkClass?: number;
  shape?: number[] | null;
  dtype?: { class: string; size: number };
  attributes?: { name: string; value: unknown }[];
  children?: TreeNode[];
}

interface Walked {
  path: string;
  kind: string;
  hardLinkTo?: string;
  target?: string;
  file?: string;
  linkClass?: number;
  shape?: number[] | null;
  typeClass?: string;
  typeSize?: number;
  attributes?: string[] | null;
}

const LINK_KINDS: Record<string, string> = { 'soft-link': 'soft', 'broken-link': 'soft', 'external-link': 'external', 'user-defined-link': 'user-defined' };

/** h5blocks' tree in the walk's terms. */
function flatten(node: TreeNode, into: Walked[] = []): Walked[] {
  const kind = LINK_KINDS[node.kind] ?? node.kind;
  const entry: Walked = { path: node.path, kind };
  if (node.hardLinkTo !== undefined) entry.hardLinkTo = node.hardLinkTo;
  else if (kind === 'soft') entry.target = node.target;
  else if (kind === 'external') Object.assign(entry, { target: node.target, file: node.file });
  else if (kind === 'user-defined') entry.linkClass = node.linkClass;
  else {
    entry.attributes = (node.attributes ?? []).map((a) => a.name).sort();
    if (kind === 'dataset') Object.assign(entry, { shape: node.shape, typeClass: node.dtype?.class, typeSize: node.dtype?.size });
  }
  into.push(entry);
  for (const child of node.children ?? []) flatten(child, into);
  return into;
}

async function h5pyWalk(file: string): Promise<Walked[]> {
  const { stdout } = await run(systemPython, [join(projectRoot, 'test/support/h5pyWalk.py'), file], { maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(stdout) as Walked[];
}

describe('tree --json beside h5py on the hdf5 repository\'s test files', () => {
  it('has the files', () => {
    expect(files).toEqual(expect.arrayContaining(['tudlink.h5', 'tall.h5', 'h5diff_attr3.h5', 'tCVE-2021-37501_attr_decode.h5', 'thlink.h5', 'tvldtypes1.h5', 'tfloat16_be.h5', 'tvlenstr_array.h5', 'tmisc38b.h5', 'trefer_attr.h5', 'h5diff_types.h5', 'tbogus.h5', 'family_file00000.h5', 'tmulti-s.h5']));
  });

  for (const name of files.filter((file) => !BEYOND_H5PY_HERE.has(file) && !DAMAGED.has(file) && !PART_OF_A_SET.has(file))) {
    it(`${name}: the same objects, kinds, link targets, shapes, types and attribute names`, async () => {
      const path = join(folder, name);
      const [result, walked] = await Promise.all([runCli(['tree', '--json', path]), h5pyWalk(path)]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const listed = flatten((JSON.parse(result.stdout) as { root: TreeNode }).root);
      // Where h5py cannot list an object's attributes, their names are not compared.
      const comparable = listed.map((entry, i) => (walked[i]?.attributes === null ? { ...entry, attributes: null } : entry));
      expect(comparable).toEqual(walked);
    }, 60_000);
  }

  it('shows object references as the path they point to (h5dump 1.14: DATASET "/dset"), never "[object Object]"', async () => {
    const result = await runCli(['tree', join(folder, 'h5diff_attr3.h5')]);
    expect(result.stdout).not.toMatch(/object Object/);
    expect(result.stdout).toMatch(/@reference = \["DATASET \\"\/dset\\"","DATASET \\"\/dset\\""\]/);
  }, 60_000);

  it('lists an attribute with an absurd shape, with the reason', async () => {
    const result = await runCli(['tree', join(folder, 'tCVE-2021-37501_attr_decode.h5')]);
    expect(result.stdout).toMatch(/input_1\/\n {4}@weight_names = "<unreadable: HDF5 could not read it; its dataspace declares \[4611686018427387904\]/);
  }, 60_000);

  it('shows user-defined links as what they are, with their class', async () => {
    const result = await runCli(['tree', join(folder, 'tudlink.h5')]);
    expect(result.stdout).toMatch(/^ {2}udlink1 {2}\(user-defined link, class 187: h5blocks cannot follow it\)$/m);
    // The same in a group that keeps its links densely (in a fractal heap).
    const dense = await runCli(['tree', join(folder, 'h5diff_types.h5')]);
    expect(dense.stdout).toMatch(/^ {2}ud_link {2}\(user-defined link, class 187: h5blocks cannot follow it\)$/m);
  }, 60_000);

  it('shows a dataset the HDF5 library here will not open as the dataset it is, with its declared shape and type and the reason', async () => {
    const result = await runCli(['tree', join(folder, 'tmisc38b.h5')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}unusual_datatype {2}\(dataset scalar, integer \(1000 bytes, as its header declares it\); cannot be read: its datatype uses 32 of its 8000 bits/m);
  }, 60_000);

  it('describes HDF5 1.12 references as such (h5dump 1.14: H5T_STD_REF), 64 bytes as libhdf5 reports them, never as region references', async () => {
    const result = await runCli(['tree', '--json', join(folder, 'trefer_attr.h5')]);
    const root = (JSON.parse(result.stdout) as { root: TreeNode }).root;
    const dataset = root.children?.find((child) => child.path === '/Dataset3');
    expect(dataset).toMatchObject({ kind: 'dataset', shape: [4], dtype: { class: 'reference', size: 64, referenceKind: 'any' } });
    const text = await runCli(['tree', join(folder, 'trefer_attr.h5')]);
    expect(text.stdout).toMatch(/^ {2}Dataset3 {2}4, reference \(HDF5 1\.12 form: to an object, a region or an attribute\), contiguous$/m);
  }, 60_000);

  it('shows an object whose header HDF5 refuses with that reason, never as "no such object"', async () => {
    const result = await runCli(['tree', join(folder, 'tbogus.h5')]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ {2}Dataset3 {2}\(dataset scalar, integer \(4 bytes, as its header declares it\); cannot be read: the file is damaged: an object's header is corrupt\)$/m);
    expect(result.stdout).not.toMatch(/no such object/);
  }, 60_000);

  it.each([
    ['family_file00000.h5', /^h5blocks: family_file00000\.h5: cannot open as HDF5: it is the first member of a family of files \(HDF5's family driver: its data continues in the sibling files\), which h5blocks does not open\n$/],
    ['tmulti-s.h5', /^h5blocks: tmulti-s\.h5: cannot open as HDF5: it is the metadata file of a multi-file set \(HDF5's multi or split driver: its data lies in sibling files\), which h5blocks does not open\n$/],
  ])('%s alone: one line naming what it is (not "truncated", not "damaged")', async (name, line) => {
    const result = await runCli(['tree', join(folder, name)]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(line);
  }, 60_000);

  it('reads float16 attributes as numbers', async () => {
    const result = await runCli(['tree', '--json', join(folder, 'tfloat16_be.h5')]);
    const root = (JSON.parse(result.stdout) as { root: TreeNode }).root;
    const values = root.children?.[0].attributes?.[0].value as number[];
    expect(values.slice(0, 4)).toEqual([16, 0.5, 1, 1.5]);
  }, 60_000);
});
