// Writes that cannot finish: a disk that takes fewer bytes than offered (a fake handle, and a real
// file size limit through `ulimit -f`), and a process killed mid-save. The target keeps its old
// content whole, and the temporary file a killed process left is removed by the next save.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeAll, writeFileAtomic, type ChunkWriter } from '../../src/io/atomic-write.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-writes-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const CHILD = ['--import', 'tsx', 'test/helpers/file-child.ts'];
/** `sh -c 'ulimit -f'` and SIGKILL are POSIX. */
const POSIX_ONLY = process.platform === 'win32';

/** A file handle that takes at most `accepts[i]` bytes on its i-th write (then none), keeping them. */
function stingyHandle(accepts: number[]): ChunkWriter & { received: number[] } {
  const received: number[] = [];
  let call = 0;
  return {
    received,
    async write(buffer, offset, length) {
      const taken = Math.min(length, accepts[call++] ?? 0);
      received.push(...buffer.subarray(offset, offset + taken));
      return { bytesWritten: taken };
    },
  };
}

test('writeAll sends the rest after a short write, in order', async () => {
  const chunk = Uint8Array.from({ length: 100 }, (_, index) => index);
  const handle = stingyHandle([30, 1, 50, 1000]);
  await writeAll(handle, chunk, 'out.bin');
  assert.deepEqual(handle.received, [...chunk]);
});

test('writeAll fails, naming the file, when the disk takes no more bytes', async () => {
  const handle = stingyHandle([60]);
  await assert.rejects(
    writeAll(handle, new Uint8Array(100), 'runs/checkpoint.bin'),
    /^PoolkitFileError: runs\/checkpoint\.bin: could not be written: the disk took no more bytes after 60 of 100/,
  );
});

test('a save past the file size limit (ulimit -f) fails and keeps the old file whole', { skip: POSIX_ONLY }, () => {
  const target = join(folder, 'limited.bin');
  writeFileSync(target, 'the good checkpoint');
  // 2048 blocks (1 or 2 MiB, by shell) is below the 8 MiB save: the kernel takes part of it, then EFBIG
  const child = spawnSync(
    'sh',
    ['-c', `ulimit -f 2048 && exec "${process.execPath}" "$@"`, 'sh', ...CHILD, 'save', target, String(8 * 2 ** 20)],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.notEqual(child.status, 0, 'the save reports its failure');
  assert.match(child.stderr, /limited\.bin: could not be written \(EFBIG: file too large/);
  assert.equal(readFileSync(target, 'utf8'), 'the good checkpoint');
  assert.deepEqual(readdirSync(folder), ['limited.bin']);
});

test(
  'a save killed midway leaves the old file whole; the next save removes its temporary file',
  { skip: POSIX_ONLY },
  async () => {
    const target = join(folder, 'killed.bin');
    writeFileSync(target, 'the previous epoch');
    const child = spawn(process.execPath, [...CHILD, 'save-and-hang', target], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const killed = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the child never wrote its first chunk')), 60_000);
      child.stdout.on('data', (data: Buffer) => {
        if (!data.toString().includes('written')) return;
        clearTimeout(timer);
        resolve();
      });
    }).finally(() => child.kill('SIGKILL'));
    await killed;
    const stale = readdirSync(folder).filter((name) => name.startsWith('.killed.bin.'));
    assert.equal(stale.length, 1, 'the killed save left its temporary file');
    assert.match(stale[0]!, new RegExp(`^\\.killed\\.bin\\.${child.pid}\\.[0-9a-f]{8}\\.tmp$`));
    assert.equal(readFileSync(target, 'utf8'), 'the previous epoch');

    await writeFileAtomic(target, 'the next epoch');
    assert.equal(readFileSync(target, 'utf8'), 'the next epoch');
    assert.deepEqual(
      readdirSync(folder).filter((name) => name.includes('killed')),
      ['killed.bin'],
    );
  },
);

test("a save leaves other files' temporary files, and those of running processes, alone", async () => {
  const keep = [`.other.bin.99999999.0123abcd.tmp`, `.mine.bin.${process.pid}.0123abcd.tmp`];
  for (const name of keep) writeFileSync(join(folder, name), 'x');
  await writeFileAtomic(join(folder, 'mine.bin'), 'saved');
  for (const name of keep) assert.ok(readdirSync(folder).includes(name), `${name} kept`);
});
