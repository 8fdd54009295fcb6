// `h5blocks tree` on files that trip a naive walk: hard-link cycles, one object
// under several names, objects h5wasm cannot describe, attributes of types its
// value conversion lacks, object references. Compared with h5py's visitor.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';

const run = promisify(execFile);

interface Node {
  kind: string;
  path: string;
  name: string;
  hardLinkTo?: string;
  reason?: string;
  unreadable?: string;
  target?: string;
  children?: Node[];
  attributes?: { name: string; value: unknown; dtype: { size: number; description: string } }[];
  dtype?: { size: number; description: string; precision?: number; bitOffset?: number; floatLayout?: string };
  filters?: { id: number; cdValues: number[] }[];
}

function flatten(node: Node, into: Node[] = []): Node[] {
  into.push(node);
  for (const child of node.children ?? []) flatten(child, into);
  return into;
}

/** The paths under which libhdf5's visitor (through h5py) meets each object, once each. */
async function h5pyVisit(file: string): Promise<string[]> {
  const script = 'import h5py, json, sys\nnames = []\nh5py.File(sys.argv[1], "r").visit(names.append)\nprint(json.dumps(["/" + n for n in names]))';
  const { stdout } = await run(systemPython, ['-c', script, file]);
  return JSON.parse(stdout) as string[];
}

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('tree-hostile');
});
afterAll(() => removeTempFolders());

async function treeJson(file: string): Promise<Node> {
  const result = await runCli(['tree', file, '--json']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout) as { root: Node }).root;
}

describe('hard links: each object described once, later links marked as links to it, no loop', () => {
  it('lists the objects h5py visits, once each, and marks the cycle and the second name', async () => {
    const file = copyCorpus('hostile/hardlinks.h5', folder, 'hardlinks.h5');
    const tree = await treeJson(file);
    const nodes = flatten(tree);
    const described = nodes.filter((n) => n.hardLinkTo === undefined && n.kind !== 'soft-link').map((n) => n.path).filter((p) => p !== '/');
    expect(described.sort()).toEqual((await h5pyVisit(file)).sort());
    const byPath = new Map(nodes.map((n) => [n.path, n]));
    expect(byPath.get('/a/b/back_to_a')).toMatchObject({ kind: 'group', hardLinkTo: '/a' });
    expect(byPath.get('/a/b/back_to_a')?.children).toBeUndefined();
    expect(byPath.get('/a/b/root')).toMatchObject({ kind: 'group', hardLinkTo: '/' });
    expect(byPath.get('/data')).toMatchObject({ kind: 'dataset', hardLinkTo: '/a/same_data' });
    expect(byPath.get('/soft')).toMatchObject({ kind: 'soft-link', target: '/a/b' });
  });

  it('shows references as the object they point to, float16 attributes as numbers, variable-length types without the wasm size', async () => {
    const file = copyCorpus('hostile/hardlinks.h5', folder, 'hardlinks2.h5');
    const tree = await treeJson(file);
    const attribute = (name: string) => tree.attributes?.find((a) => a.name === name);
    expect(attribute('ref_to_data')?.value).toBe('DATASET "/a/same_data"');
    expect(attribute('refs')?.value).toEqual(['DATASET "/a/same_data"', 'GROUP "/a"']);
    expect(attribute('half')?.value).toEqual([1.5, -2.25]);
    expect(attribute('half_be')?.value).toEqual([0.5]);
    expect(attribute('vlen_ints')?.value).toEqual([[1, 2, 3], [4]]);
    expect(attribute('vlen_ints')?.dtype.size).toBe(16);
    const ragged = flatten(tree).find((n) => n.path === '/ragged');
    expect(ragged?.dtype?.description).toMatch(/^variable-length sequence of 64-bit float/);
    expect(ragged?.dtype?.size).toBe(16);
    const text = await runCli(['tree', file]);
    expect(text.stdout).toContain('back_to_a -> /a  (hard link to the group shown at /a)');
    expect(text.stdout).not.toContain('[object Object]');
  });
});

describe('an object that cannot be described is shown as such; the rest of the file shows', () => {
  it('packed.h5: the type HDF5 2.0 refuses is one line with the reason, the others with precision, offset and filter parameters', async () => {
    const file = copyCorpus('hostile/packed.h5', folder, 'packed.h5');
    const tree = await treeJson(file);
    const byPath = new Map(flatten(tree).map((n) => [n.path, n]));
    // Shown as the dataset its header declares, with the reason it cannot be read.
    expect(byPath.get('/custom_precision_int')).toMatchObject({ kind: 'dataset', dtype: { class: 'integer', size: 4 } });
    expect(byPath.get('/custom_precision_int')?.unreadable).toMatch(/12 of its 32 bits/);
    expect(byPath.size).toBe(1 + (await h5pyVisit(file)).length);
    const nbit = byPath.get('/nbit_int');
    expect(nbit?.dtype).toMatchObject({ precision: 16, bitOffset: 4 });
    expect(nbit?.dtype?.description).toContain('16 significant bits at bit offset 4');
    expect(nbit?.filters?.[0].id).toBe(5);
    expect(nbit?.filters?.[0].cdValues.length).toBeGreaterThan(0);
    expect(byPath.get('/nbit_float')?.dtype?.floatLayout).toBe('20 bits at offset 7: sign bit 26, exponent bits 20–25, mantissa bits 7–19, bias 31');
    expect(byPath.get('/le_f4')).toBeUndefined();
    expect(byPath.get('/shuffle_gzip_be')?.dtype?.precision).toBeUndefined();
    const text = await runCli(['tree', file]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/custom_precision_int {2}\(dataset 2000 × 3, integer \(4 bytes, as its header declares it\); cannot be read: its datatype uses 12 of its 32 bits/);
    expect(text.stdout).toMatch(/nbit_int .*filters nbit, filter parameters nbit \d/);
  });
});
