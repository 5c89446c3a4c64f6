// Node only: writes a file so that readers see the old content or the new, never a part: the
// bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type FileContent = string | Uint8Array | Iterable<Uint8Array>;

/**
 * Writes `content` (a string, bytes, or chunks of bytes) to `path` atomically, making the folder
 * if needed. If anything fails (a chunk throws, the disk fills, the process is told to stop) the
 * temporary file is removed and `path` keeps its previous content.
 */
export async function writeFileAtomic(path: string, content: FileContent): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      for (const chunk of chunksOf(content)) await handle.write(chunk);
      await handle.sync(); // the bytes are on disk before the name points at them
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

function* chunksOf(content: FileContent): Iterable<Uint8Array> {
  if (typeof content === 'string') yield new TextEncoder().encode(content);
  else if (content instanceof Uint8Array) yield content;
  else yield* content;
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
