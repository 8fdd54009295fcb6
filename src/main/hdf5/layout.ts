import type { Layout } from '../../shared/entities';
import { ByteFile, objectHeaderAt, readObjectHeader, readSuperblock } from './rawFormat';

const LAYOUT_MESSAGE = 0x08;
const CLASSES: Layout[] = ['compact', 'contiguous', 'chunked', 'virtual'];

/**
 * The storage layout recorded in a dataset's Data Layout message. h5wasm tells
 * chunked and virtual datasets apart but not compact from contiguous, so this
 * reads the message from the file itself. Undefined when it cannot be read
 * (the path crosses an external link, or the format is not one this reader knows).
 */
export function storedLayout(filePath: string, datasetPath: string): Layout | undefined {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(filePath);
    const superblock = readSuperblock(file);
    const address = objectHeaderAt(file, superblock, datasetPath);
    if (address === undefined) return undefined;
    const message = readObjectHeader(file, superblock, address).messages.find((m) => m.type === LAYOUT_MESSAGE);
    if (!message) return undefined;
    // Versions 1 and 2 put the class after the dimensionality; 3 and later right after the version.
    const layoutClass = message.data[0] <= 2 ? message.data[2] : message.data[1];
    return CLASSES[layoutClass];
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}
