// Node only: writes a file so that readers see the old content or the new, never a part: every byte
// goes to a temporary file in the same folder (or the write fails), is flushed to disk, then the
// temporary file is renamed over the target. Temporary files a killed process left are removed.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { failFile } from './file-error.js';

export type FileContent = string | Uint8Array | Iterable<Uint8Array>;

/** What writeAll needs of a file handle (FileHandle has it; a test can pass a fake). */
export interface ChunkWriter {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
}

/**
 * Writes `content` (a string, bytes, or chunks of bytes) to `path` atomically, making the folder
 * if needed. If anything fails (a chunk throws, the disk fills, the process is told to stop) the
 * temporary file is removed and `path` keeps its previous content. A failure of the file system
 * throws a PoolkitFileError naming `path`.
 */
export async function writeFileAtomic(path: string, content: FileContent): Promise<void> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await makeFolder(folder);
    await removeStaleTemporaries(folder, basename(path));
    const handle = await open(temporary, 'wx');
    try {
      for (const chunk of chunksOf(content)) await writeAll(handle, chunk, path);
      await handle.sync(); // the bytes are on disk before the name points at them
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || code.startsWith('ERR_')) throw error; // not the file system's: the caller's
    failFile(path, `could not be written (${(error as Error).message}); a previous file there is unchanged`);
  }
  await syncFolder(folder);
}

/**
 * Writes all of `chunk`: one write() may take fewer bytes than offered (a disk nearly full, a file
 * size limit), and the rest must follow or the file would end early. Zero bytes taken is an error.
 */
export async function writeAll(handle: ChunkWriter, chunk: Uint8Array, path: string): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
    if (!(bytesWritten > 0)) {
      failFile(
        path,
        `could not be written: the disk took no more bytes after ${written} of ${chunk.length} (is it full?)`,
      );
    }
    written += bytesWritten;
  }
}

/**
 * Makes `folder` and its missing parents. Not mkdir's `recursive`, which in Node 20 spins forever
 * on a path its kernel refuses with ENOENT although the parent exists (under /proc).
 */
export async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(folder)).isDirectory()) return;
    const parent = dirname(folder);
    if (code !== 'ENOENT' || parent === folder) throw error;
    await makeFolder(parent);
    await mkdir(folder).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST' || !(await stat(folder)).isDirectory()) throw again;
    });
  }
}

function* chunksOf(content: FileContent): Iterable<Uint8Array> {
  if (typeof content === 'string') yield new TextEncoder().encode(content);
  else if (content instanceof Uint8Array) yield content;
  else yield* content;
}

/** The temporary-file name pattern: `.<target name>.<process id>.<8 hex digits>.tmp`. */
const TEMPORARY = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes temporary files of the same target left by processes that no longer run (killed mid-save);
 * those of live processes (a concurrent save) stay. Best effort: a failure here never stops the save.
 */
async function removeStaleTemporaries(folder: string, name: string): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = TEMPORARY.exec(entry);
    if (match === null || match[1] !== name || isRunning(Number(match[2]))) continue;
    await rm(join(folder, entry), { force: true }).catch(() => undefined);
  }
}

function isRunning(processId: number): boolean {
  if (processId === process.pid) return true;
  try {
    process.kill(processId, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by someone else
  }
}

/** Flushes the rename itself; some platforms (Windows) cannot open a folder, which is harmless. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort: the file content is already durable
  }
}
