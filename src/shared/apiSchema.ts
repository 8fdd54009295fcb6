// The arguments every H5BlocksApi method accepts, as zod schemas. The main
// process checks each call against these before it does anything, whatever
// the transport: a renderer (or a page on the loopback socket) is never
// trusted to send well-formed data.

import { z } from 'zod';
import { API_METHODS, type ApiMethod, type H5BlocksApi } from './api';
import { H5BlocksError } from './errors';
import { MAX_OVERVIEW_BINS, MAX_OVERVIEW_POINTS } from './overview';
import { MAX_WORKERS, STRATEGIES, isSchedulerAddress } from './run';
import { MAX_BINS } from './stats';
import { MAX_EXPRESSION_CHARS } from './expression';

/** Paths longer than this are not real paths (PATH_MAX is 4096 on Linux). */
const MAX_PATH_CHARS = 4096;
/** HDF5 allows more dimensions, but no dataset worth showing has more than this. */
const MAX_RANK = 32;

const noNul = (text: string) => !text.includes('\0');

const fsPath = z.string().min(1, 'must not be empty').max(MAX_PATH_CHARS, `must be at most ${MAX_PATH_CHARS} characters`)
  .refine(noNul, 'must not contain a NUL character');
const objectPath = z.string().min(1, 'must not be empty').max(MAX_PATH_CHARS, `must be at most ${MAX_PATH_CHARS} characters`)
  .refine(noNul, 'must not contain a NUL character');
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id the app gave out');
const index = z.int('must be a whole number').nonnegative('must not be negative');
const range = z.tuple([index, index]).refine(([start, stop]) => start <= stop, 'start must not be past stop');

// The language's own check refuses what is too long with its position and a sentence; this only bounds a call.
const expressionText = z.string().min(1, 'must not be empty').max(MAX_EXPRESSION_CHARS, `must be at most ${MAX_EXPRESSION_CHARS} characters`)
  .refine(noNul, 'must not contain a NUL character');

const runParams = z.strictObject({
  fileId: id,
  dataset: objectPath,
  compute: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a computation h5blocks lists').optional(),
  expression: expressionText.optional(),
  strategy: z.enum(STRATEGIES),
  workers: z.int('must be a whole number').min(1, 'must be at least 1').max(MAX_WORKERS, `must be at most ${MAX_WORKERS}`),
  blockRows: z.int('must be a whole number').min(1, 'must be at least 1').optional(),
  output: objectPath.optional(),
  overwrite: z.boolean().optional(),
  scheduler: z.string().max(MAX_PATH_CHARS, `must be at most ${MAX_PATH_CHARS} characters`).refine(noNul, 'must not contain a NUL character')
    .refine(isSchedulerAddress, 'must be a Dask scheduler address such as tcp://host:8786').optional(),
  live: z.boolean().optional(),
  upgradeFormat: z.boolean().optional(),
});

const statsParams = z.strictObject({
  fileId: id,
  dataset: objectPath,
  strategy: z.enum(['inline', 'pool', 'shard', 'dask']),
  workers: z.int('must be a whole number').min(1, 'must be at least 1').max(MAX_WORKERS, `must be at most ${MAX_WORKERS}`),
  blockRows: z.int('must be a whole number').min(1, 'must be at least 1').optional(),
  bins: z.int('must be a whole number').min(1, 'must be at least 1').max(MAX_BINS, `must be at most ${MAX_BINS}`).optional(),
  range: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && lo < hi, 'must be two finite numbers LO < HI').optional(),
  output: objectPath.optional(),
  overwrite: z.boolean().optional(),
});

const none = z.tuple([]);

type ArgsOf<M extends ApiMethod> = Parameters<H5BlocksApi[M]>;

/** One schema per method; `satisfies` keeps it in step with the contract. */
export const API_ARGS = {
  appInfo: none,
  listFiles: none,
  showOpenDialog: none,
  browse: z.tuple([fsPath.nullable()]),
  openPath: z.tuple([fsPath]),
  recentFiles: none,
  closeFile: z.tuple([id]),
  saveAs: z.tuple([id, fsPath.nullable(), z.strictObject({
    replace: z.boolean().optional(),
    virtual: z.enum(['copy-shards', 'materialize']).optional(),
  }).optional()]),
  listVirtualOutputs: z.tuple([id]),
  materialize: z.tuple([id, objectPath]),
  getEntity: z.tuple([id, objectPath]),
  getValue: z.tuple([id, objectPath, z.array(range).max(MAX_RANK, `must have at most ${MAX_RANK} dimensions`), z.strictObject({ fields: z.boolean().optional() }).optional()]),
  getOverview: z.tuple([id, objectPath, z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('line'), bins: z.int().min(1).max(MAX_OVERVIEW_BINS), start: index.optional(), stop: index.optional(), column: index.optional() }),
    z.strictObject({ kind: z.literal('points'), maxPoints: z.int().min(1).max(MAX_OVERVIEW_POINTS) }),
    z.strictObject({ kind: z.literal('image'), index: z.array(index).max(MAX_RANK), maxSide: z.int().min(1).max(MAX_OVERVIEW_BINS) }),
  ])]),
  search: z.tuple([z.string().max(1000, 'must be at most 1000 characters').refine(noNul, 'must not contain a NUL character')]),
  openLinkTarget: z.tuple([id, objectPath]),
  previewExpression: z.tuple([id, objectPath, expressionText]),
  startRun: z.tuple([runParams]),
  planRuns: z.tuple([id, objectPath, z.array(z.strictObject({
    strategy: z.enum(STRATEGIES),
    workers: z.int('must be a whole number').min(1, 'must be at least 1').max(MAX_WORKERS, `must be at most ${MAX_WORKERS}`).optional(),
    blockRows: z.int('must be a whole number').min(1, 'must be at least 1').optional(),
  })).max(1000, 'must list at most 1000 configurations')]),
  cancelRun: z.tuple([id]),
  listRuns: none,
  clearRuns: none,
  exportScript: z.tuple([id]),
  computeStats: z.tuple([statsParams]),
} satisfies { [M in ApiMethod]: z.ZodType<ArgsOf<M>> };

export interface ValidCall<M extends ApiMethod = ApiMethod> {
  method: M;
  args: ArgsOf<M>;
}

export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && (API_METHODS as readonly string[]).includes(method);
}

/** The call checked against its schema, or an 'invalid-argument' error saying what is wrong in one line. */
export function validateCall(method: unknown, args: unknown): ValidCall {
  if (!isApiMethod(method)) {
    throw new H5BlocksError('invalid-argument', `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
  }
  const parsed = API_ARGS[method].safeParse(args);
  if (!parsed.success) throw new H5BlocksError('invalid-argument', `${method}: ${describeIssue(parsed.error.issues[0])}`);
  return { method, args: parsed.data as ArgsOf<typeof method> };
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid arguments';
  const [first, ...rest] = issue.path;
  if (first === undefined) {
    return issue.code === 'too_big' || issue.code === 'too_small' ? 'wrong number of arguments' : issue.message;
  }
  const where = [`argument ${Number(first) + 1}`, ...rest.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))].join('');
  return `${where} ${issue.message}`;
}
