import { outsideError, type Refusal } from '../hdf5/confinement';
import type { H5BlocksError } from '@shared/errors';
import type { IoRequest } from './protocol';

/** A request that made HDF5 reach outside the served folders. */
export function refusedError(request: IoRequest, refused: Refusal[]): H5BlocksError {
  if (request.kind === 'run' || request.kind === 'stats') return outsideError(request.request.file, request.request.dataset, refused);
  return outsideError(request.file, 'path' in request ? request.path : undefined, refused);
}
