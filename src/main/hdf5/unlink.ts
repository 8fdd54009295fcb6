import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { ByteStore } from '../transaction/byteStore';
import { findLink, objectHeaderAt, readSuperblock } from './rawFormat';

/**
 * Removes one hard link from an HDF5 file (not open in h5wasm) by editing the
 * group that holds it, byte for byte, the way the HDF5 library's own H5Ldelete
 * leaves it.
 *
 * h5wasm has no H5Ldelete, so overwriting an output whose shape or type differs
 * would otherwise be impossible. This is only ever applied to the run's staged
 * copy (never to the user's file), before h5wasm opens it; the object the link
 * pointed to becomes unreachable and its bytes stay in the file until an
 * h5repack, exactly as after H5Ldelete.
 *
 * Supported group formats, which cover files written by h5py, h5wasm and the
 * HDF5 tools with default settings:
 * - "old-style" groups: a symbol table (v1 B-tree of symbol nodes + local heap);
 *   the entry is removed from its symbol node and the count lowered;
 * - "compact" new-style groups: link messages in the group's object header
 *   (v1 or v2); the link message becomes a NIL message and the v2 chunk's
 *   checksum is recomputed.
 * Dense new-style groups (more than 8 links by default in files made with
 * libver "latest") are refused with a clear message.
 */
export function removeLink(file: ByteStore, filePath: string, linkPath: string): void {
  const superblock = readSuperblock(file);
  const parts = linkPath.split('/').filter(Boolean);
  if (parts.length === 0) throw refuse(filePath, linkPath, 'the root group cannot be removed');
  const group = objectHeaderAt(file, superblock, parts.slice(0, -1).join('/'));
  if (group === undefined) throw refuse(filePath, linkPath, 'its group was not found');
  const last = parts[parts.length - 1];
  const link = findLink(file, superblock, group, last);
  if (link === undefined) throw refuse(filePath, linkPath, 'no such link');
  link.remove();
}

function refuse(file: string, path: string, why: string): H5BlocksError {
  return new H5BlocksError('output-conflict', `${basename(file)}: cannot remove ${path}: ${why}`, { file, object: path });
}

