/**
 * verifyExport and mergeExport: check an export's files against its
 * manifests (a missing shard, a file cut short or changed), and join the
 * shards of one export into the files a single process would have written.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OtfgenFileError } from '../../core/errors.js';
import { builtInRecipeTask, type Recipe } from '../../tasks/recipe.js';
import type { Task } from '../../tasks/define-task.js';
import { writeJsonAtomic } from './atomic-file.js';
import { exportNames, HashedFile, type ExportManifest, type ManifestFile } from './export.js';

const MANIFEST = /^(.+)\.manifest(?:-(\d{5})-of-(\d{5}))?\.json$/;

/** What {@link verifyExport} found for one data set (one stem) of a folder. */
export interface VerifiedSet {
  /** The files' stem: the task's name, or 'train' / 't10k'. */
  readonly stem: string;
  /** Its recipe (null when its parameters were a function). */
  readonly recipe: Recipe | null;
  /** Shards the set was split into (1: one piece). */
  readonly shards: number;
  /** Shard indices whose manifest is missing. */
  readonly missing: readonly number[];
  /** One line for each file that is missing, of the wrong size or with another sha256, or manifest that disagrees. */
  readonly problems: readonly string[];
  /** True when every shard is there and every file matches its manifest. */
  readonly ok: boolean;
}

/**
 * Checks every data set in `dir` against its manifests: each shard present,
 * each file's size and sha256 as written. Reads every byte once.
 * @example
 * ```ts
 * const sets = await verifyExport('out');
 * for (const s of sets) if (!s.ok) console.error(s.stem, s.missing, s.problems);
 * ```
 */
export async function verifyExport(dir: string): Promise<VerifiedSet[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new OtfgenFileError(dir, `cannot read the folder: ${(e as Error).message}`, { cause: e });
  }
  const byStem = new Map<string, { name: string; manifest: ExportManifest }[]>();
  for (const name of names.sort()) {
    const m = MANIFEST.exec(name);
    if (!m) continue;
    const manifest = await readManifest(join(dir, name));
    byStem.set(m[1], [...(byStem.get(m[1]) ?? []), { name, manifest }]);
  }
  if (byStem.size === 0) throw new OtfgenFileError(dir, 'holds no export manifest (<name>.manifest.json): is it the folder otfgen export wrote?');
  const sets: VerifiedSet[] = [];
  for (const [stem, entries] of byStem) {
    const problems: string[] = [];
    const counts = new Set(entries.map((e) => e.manifest.shard.count));
    const shards = Math.max(...counts);
    if (counts.size > 1) problems.push(`manifests of ${[...counts].join(' and ')} shards side by side: two exports of '${stem}' are mixed`);
    const recipes = new Set(entries.map((e) => JSON.stringify(e.manifest.recipe)));
    if (recipes.size > 1) problems.push(`manifests with different recipes: shards of different data sets of '${stem}' are mixed`);
    const seen = new Set(entries.map((e) => e.manifest.shard.index));
    const missing = Array.from({ length: shards }, (_, i) => i).filter((i) => !seen.has(i));
    for (const { name, manifest } of entries) {
      for (const f of manifest.files) {
        const why = await checkFile(join(dir, f.name), f);
        if (why) problems.push(`${f.name} (${name}): ${why}`);
      }
    }
    sets.push({ stem, recipe: entries[0].manifest.recipe, shards, missing, problems, ok: missing.length === 0 && problems.length === 0 });
  }
  return sets;
}

async function readManifest(path: string): Promise<ExportManifest> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as ExportManifest;
    if (m.otfgen !== 'manifest/1' || !Array.isArray(m.files) || !m.shard || !m.samples) throw new Error("not an otfgen manifest ('manifest/1')");
    return m;
  } catch (e) {
    throw new OtfgenFileError(path, `cannot read the manifest: ${(e as Error).message}`, { cause: e });
  }
}

/** Why a file does not match its manifest entry, or null. */
async function checkFile(path: string, f: ManifestFile): Promise<string | null> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return 'missing';
  }
  if (size !== f.bytes) return `${size} bytes, the manifest says ${f.bytes}`;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  return sha === f.sha256 ? null : `sha256 ${sha.slice(0, 12)}..., the manifest says ${f.sha256.slice(0, 12)}...`;
}

/**
 * The files {@link mergeExport} wrote for one data set.
 * @inline
 */
export interface MergedSet {
  /** The files' stem: the task's name, or 'train' / 't10k'. */
  readonly stem: string;
  /** Path of the joined samples' file. */
  readonly images: string;
  /** Path of the joined targets' file. */
  readonly targets: string;
  /** Path of its manifest. */
  readonly manifest: string;
}

/** Options of {@link mergeExport}. */
export interface MergeOptions {
  /** Where the joined files go (default: the shards' folder). */
  readonly out?: string;
  /** The task, when it is not a built-in (its name, target and shape name the files); default: the recipe's built-in. */
  readonly task?: Task<any>;
}

/**
 * Joins the shards of each data set in `dir` into one set of files, with its
 * manifest and recipe: the same bytes as the export in one piece. Checks
 * every shard first (`verifyExport`) and writes nothing when one is missing or
 * corrupt. The shards are left as they are.
 */
export async function mergeExport(dir: string, options: MergeOptions = {}): Promise<MergedSet[]> {
  const sets = (await verifyExport(dir)).filter((s) => s.shards > 1);
  if (sets.length === 0) throw new OtfgenFileError(dir, 'holds no sharded export to merge (its manifests are of exports in one piece)');
  const bad = sets.filter((s) => !s.ok);
  if (bad.length) {
    const lines = bad.flatMap((s) => [
      ...(s.missing.length ? [`${s.stem}: shard(s) ${s.missing.join(', ')} of ${s.shards} missing`] : []),
      ...s.problems.map((p) => `${s.stem}: ${p}`),
    ]);
    throw new OtfgenFileError(dir, `cannot merge, nothing was written:\n  ${lines.join('\n  ')}`);
  }
  const out = options.out ?? dir;
  await mkdir(out, { recursive: true });
  const merged: MergedSet[] = [];
  for (const set of sets) {
    if (!set.recipe?.output) throw new OtfgenFileError(dir, `${set.stem}: its manifests hold no recipe, which merging needs to name the files`);
    const task = options.task ?? builtInRecipeTask(set.recipe);
    const names = exportNames(task, set.recipe.output, null, out);
    const manifests = await Promise.all(
      Array.from({ length: set.shards }, (_, i) =>
        readManifest(join(dir, `${set.stem}.manifest-${String(i).padStart(5, '0')}-of-${String(set.shards).padStart(5, '0')}.json`)),
      ),
    );
    const files: ManifestFile[] = [];
    for (const role of ['images', 'targets'] as const) {
      const path = role === 'images' ? names.images : names.targets;
      files.push(
        await join1(
          path,
          role,
          manifests.map((m) => join(dir, m.files.find((f) => f.role === role)!.name)),
          set.recipe.count,
          set.recipe.output.format,
        ),
      );
    }
    const manifest: ExportManifest = {
      otfgen: 'manifest/1',
      recipe: set.recipe,
      shard: { index: 0, count: 1 },
      samples: { start: 0, end: set.recipe.count },
      files,
    };
    if (out !== dir) await writeJsonAtomic(names.recipe, set.recipe);
    await writeJsonAtomic(names.manifest, manifest);
    merged.push({ stem: set.stem, images: names.images, targets: names.targets, manifest: names.manifest });
  }
  return merged;
}

/** Writes one file: the first shard's header with the whole count, then each shard's data after its header. */
async function join1(path: string, role: ManifestFile['role'], parts: string[], count: number, format: 'idx' | 'npy'): Promise<ManifestFile> {
  const file = await HashedFile.create(path);
  try {
    for (const [i, part] of parts.entries()) {
      const headerLength = await headerLengthOf(part, format);
      if (i === 0) await file.write(withCount(new Uint8Array((await readHead(part, headerLength)).buffer), format, count));
      for await (const chunk of createReadStream(part, { start: headerLength })) await file.write(chunk as Buffer);
    }
    const entry = file.entry(role);
    await file.commit();
    return entry;
  } catch (e) {
    await file.abort();
    throw e;
  }
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const h = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await h.read(buf, 0, length, 0);
    return buf;
  } finally {
    await h.close();
  }
}

/** Bytes of a shard file's header: IDX, 4 + 4 per dimension; NPY 1.0, 10 + its little-endian header length. */
async function headerLengthOf(path: string, format: 'idx' | 'npy'): Promise<number> {
  const head = await readHead(path, 10);
  return format === 'idx' ? 4 + 4 * head[3] : 10 + head.readUInt16LE(8);
}

/** A header with its first dimension set to `count`: the IDX count field, or the NPY shape's first number (padded to the same length). */
function withCount(header: Uint8Array, format: 'idx' | 'npy', count: number): Uint8Array {
  if (format === 'idx') {
    const out = header.slice();
    new DataView(out.buffer).setUint32(4, count, false);
    return out;
  }
  const text = new TextDecoder().decode(header.subarray(10));
  const dict = text.replace(/'shape': \((\d+)/, `'shape': (${count}`).trimEnd();
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const out = new Uint8Array(total);
  out.set(header.subarray(0, 8), 0);
  new DataView(out.buffer).setUint16(8, total - 10, true);
  out.set(new TextEncoder().encode(dict + ' '.repeat(total - 10 - dict.length - 1) + '\n'), 10);
  return out;
}
