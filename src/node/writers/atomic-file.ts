/** Files that appear whole or not at all: written beside their name, renamed into place. */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OtfgenFileError } from '../../core/errors.js';

/** A file being written beside `path`; `commit` renames it into place, `abort` removes it. */
export class AtomicFile {
  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly handle: Awaited<ReturnType<typeof open>>,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      return new AtomicFile(path, tmp, await open(tmp, 'w'));
    } catch (e) {
      throw new OtfgenFileError(path, `cannot write: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Appends `data` (writeFile on a handle writes from its current position). */
  async write(data: Uint8Array | string): Promise<void> {
    await this.handle.writeFile(data);
  }

  async commit(): Promise<void> {
    await this.handle.close();
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.tmp, { force: true });
  }
}

/** Writes `data` to `path` whole or not at all; a failure is an error naming the file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const file = await AtomicFile.create(path);
  try {
    await file.write(data);
    await file.commit();
  } catch (e) {
    await file.abort();
    throw new OtfgenFileError(path, `cannot write: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes `value` as indented JSON (and a final newline) to `path`, whole or not at all, making its folder if it is missing. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
