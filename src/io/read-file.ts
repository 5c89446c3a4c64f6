// Node only: reads a file whole only after checking what it is: a regular file (never a device or a
// FIFO, which may never end) no larger than a limit, so a hostile path cannot make poolkit read
// forever or fill memory. Every error names the file and says what is wrong with it.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { failFile } from './file-error.js';
import { MAX_WEIGHTS_BYTES } from './weights.js';

/** The most bytes poolkit reads from a JSON file (model.json): 64 MiB, far above any real model's. */
export const MAX_JSON_BYTES = 64 * 2 ** 20;
/** The most bytes poolkit reads from a binary file (weights.bin, checkpoint.bin): 2 GiB less a byte. */
export const MAX_BINARY_BYTES = MAX_WEIGHTS_BYTES;

export interface ReadOptions {
  /** Refuse a larger file before reading it; default MAX_BINARY_BYTES. */
  readonly maxBytes?: number;
  /** Called with the file's size before any byte is read; throws to refuse it (a manifest's length). */
  readonly checkSize?: (bytes: number) => void;
}

/** The bytes of a regular file, after checking its kind and size. */
export async function readBytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_BINARY_BYTES;
  const handle = await openForReading(path);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) failFile(path, `is ${kindOf(stats)}, not a regular file; poolkit reads only regular files`);
    options.checkSize?.(stats.size);
    if (stats.size > maxBytes) {
      failFile(path, `is ${stats.size} bytes long, over the limit of ${maxBytes} bytes poolkit reads from such a file`);
    }
    return await readExactly(handle, stats.size, path);
  } finally {
    await handle.close();
  }
}

/** A JSON file's parsed content, read with a size cap (default MAX_JSON_BYTES). */
export async function readJson(path: string, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(path, { maxBytes }));
  try {
    return JSON.parse(text);
  } catch (error) {
    failFile(path, `is not valid JSON (${(error as Error).message}); the file may be truncated or corrupt`);
  }
}

/** Opens without blocking: opening a FIFO for reading would otherwise wait for a writer forever. */
async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    failFile(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`);
  }
}

async function readExactly(handle: FileHandle, size: number, path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) failFile(path, `shrank while being read: ${filled} of ${size} bytes were there`);
    filled += bytesRead;
  }
  return bytes;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'not a plain file';
}
