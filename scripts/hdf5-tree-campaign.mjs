// Campaign: `h5blocks tree --json` beside h5py's walk (test/support/h5pyWalk.py)
// on every .h5/.hdf5 file below a folder, run from the repository's root after
// `npx electron-vite build`:
//   node scripts/hdf5-tree-campaign.mjs FOLDER OUT.json [NAME-PART…]
// Each file is sorted: tree-hangs (20 s), tree-crashes (a stack trace, more than
// one line, an abort), tree-fails-h5py-walks, both-fail, h5py-fails-tree-lists,
// differ (with each difference: object, field, both values) or match. The
// comparison is test/hdf5-tree-testfiles.test.ts's (its flatten), by path here
// so that one extra or missing object does not hide the rest; "order" when only
// the order of the listing differs.
import { execFile } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [root, outFile, ...only] = process.argv.slice(2);
const repo = process.cwd();
const LINK_KINDS = { 'soft-link': 'soft', 'broken-link': 'soft', 'external-link': 'external', 'user-defined-link': 'user-defined' };
function flatten(node, into = []) {
  const kind = LINK_KINDS[node.kind] ?? node.kind;
  const entry = { path: node.path, kind };
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
function sh(cmd, args, timeout) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, killSignal: 'SIGKILL', maxBuffer: 256 * 2 ** 20 }, (error, stdout, stderr) => {
      resolve({ status: error ? (error.killed ? 'timeout' : error.code) : 0, stdout, stderr });
    });
  });
}
function walkFiles(dir) {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? walkFiles(p) : [p]; });
}
function compare(listed, walked) {
  const diffs = [];
  const a = new Map(listed.map((e) => [e.path, e]));
  const b = new Map(walked.map((e) => [e.path, e]));
  for (const [p, w] of b) {
    const l = a.get(p);
    if (!l) { diffs.push({ path: p, field: 'missing-in-h5blocks', h5py: w }); continue; }
    for (const key of new Set([...Object.keys(l), ...Object.keys(w)])) {
      if (key === 'attributes' && w.attributes === null) continue;
      if (JSON.stringify(l[key]) !== JSON.stringify(w[key])) diffs.push({ path: p, field: key, h5blocks: l[key], h5py: w[key] });
    }
  }
  for (const [p, l] of a) if (!b.has(p)) diffs.push({ path: p, field: 'extra-in-h5blocks', h5blocks: l });
  if (!diffs.length && JSON.stringify(listed.map((e) => e.path)) !== JSON.stringify(walked.map((e) => e.path))) diffs.push({ field: 'order' });
  return diffs;
}
async function one(file) {
  const [tree, py] = await Promise.all([
    sh('node', [join(repo, 'bin/h5blocks.js'), 'tree', '--json', file], 20000),
    sh('/usr/bin/python3', [join(repo, 'test/support/h5pyWalk.py'), file], 60000),
  ]);
  const r = { file: relative(root, file), treeStatus: tree.status, treeErr: tree.stderr.trim(), pyStatus: py.status, pyErr: py.stderr.trim().split('\n').slice(-1)[0] };
  const errLines = tree.stderr.trim() ? tree.stderr.trim().split('\n').length : 0;
  if (tree.status === 'timeout') r.cls = 'tree-hangs';
  else if (errLines > 1 || /\n\s+at |Aborted|RuntimeError|TypeError/.test(tree.stderr) || (tree.status !== 0 && tree.status !== 1 && tree.status !== 2)) r.cls = 'tree-crashes';
  else if (tree.status !== 0) r.cls = py.status === 0 ? 'tree-fails-h5py-walks' : 'both-fail';
  else if (py.status !== 0) r.cls = 'h5py-fails-tree-lists';
  else {
    let listed;
    try { listed = flatten(JSON.parse(tree.stdout).root); } catch (e) { r.cls = 'tree-bad-json'; return r; }
    const diffs = compare(listed, JSON.parse(py.stdout));
    if (tree.stderr.trim()) r.cls = 'tree-stderr';
    r.diffs = diffs;
    r.cls = r.cls ?? (diffs.length ? 'differ' : 'match');
  }
  return r;
}
const files = walkFiles(root).filter((f) => /\.(h5|hdf5)$/.test(f) && (!only.length || only.some((o) => f.includes(o)))).sort();
const results = [];
let next = 0;
async function lane() { while (next < files.length) { const f = files[next++]; results.push(await one(f)); } }
await Promise.all([lane(), lane()]);
results.sort((x, y) => x.file.localeCompare(y.file));
writeFileSync(outFile, JSON.stringify(results, null, 1));
const counts = {};
for (const r of results) counts[r.cls] = (counts[r.cls] ?? 0) + 1;
console.log(files.length, 'files', counts);
