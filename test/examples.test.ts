/**
 * The documentation's TypeScript examples type-check against the library's
 * source, so an API change that breaks one fails here instead of in a
 * user's editor: the README's ```ts blocks, and the `@example` blocks of the
 * doc comments that typedoc publishes.
 *
 * A README block is checked as written. A doc-comment example is a fragment:
 * what it uses from the package is imported for it (from `otfgen`, else
 * `otfgen/harness`, else `otfgen/node`, else the file it documents). In both,
 * the names left to the reader (a model, a dataset, the user's own training
 * step) are declared below as placeholders, which an example's own imports
 * and declarations shadow.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the examples are checked from: virtual files, never written. */
const EXAMPLES = join(root, 'test', '.examples');
const ENTRIES = {
  otfgen: 'src/index.ts',
  'otfgen/adaptive': 'src/adaptive/index.ts',
  'otfgen/harness': 'src/harness/index.ts',
  'otfgen/node': 'src/node/index.ts',
} as const;

const PLACEHOLDERS = `
type Batch = import('otfgen').Batch;
type Stream<T> = import('otfgen').Stream<T>;
type Dataset = import('otfgen').ArrayDataset;
type Model = import('otfgen/harness').HarnessModel;
declare function swapHead(): void;
declare function trainOn(batch: Batch): Promise<void>;
declare function myBatches(): Iterable<Batch>;
declare const batch: Batch;
declare const real: Stream<Batch>, synthetic: Stream<Batch>, warmup: Stream<Batch>, stream: Stream<Batch>, source: Stream<Batch>;
declare const trainSet: Dataset, heldOut: Dataset, test: Dataset;
declare const exemplars: import('otfgen').Exemplars;
declare const model: Model, teacher: Model, student: Model;
declare const net: import('@tensorflow/tfjs-layers').LayersModel;
declare const images: import('@tensorflow/tfjs-core').Tensor4D, params: import('@tensorflow/tfjs-core').Tensor2D;
declare const definition: import('otfgen').TaskDefinition<{}>;
declare const bytes: Uint8Array, n: number, workerId: number, workerCount: number;
`;

interface Example {
  /** The file it is in, from the package root, and the line its code starts on: for the report. */
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** Import what it uses from the package (a doc-comment fragment). */
  readonly fragment: boolean;
}

/** The ```ts blocks of a Markdown text, those indented under a list item too (their indent removed). */
function markdownExamples(markdown: string, file: string): Example[] {
  const found: Example[] = [];
  let open: { line: number; indent: string; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (open === undefined) {
      const fence = /^( *)```ts\s*$/.exec(text);
      if (fence) open = { line: i + 2, indent: fence[1], lines: [] };
    } else if (text.startsWith(`${open.indent}\`\`\``)) {
      found.push({ file, line: open.line, code: open.lines.join('\n'), fragment: false });
      open = undefined;
    } else {
      open.lines.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text);
    }
  });
  return found;
}

/** The ```ts blocks of the `@example` tags in a source file's doc comments. */
function docExamples(source: string, file: string): Example[] {
  const lines = source.split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\s*$/.test(lines[i])) continue;
    if (!/^\s*\*\s*```ts\s*$/.test(lines[i + 1] ?? '')) throw new Error(`${file}:${i + 2}: an @example without a \`\`\`ts block`);
    const code: string[] = [];
    let j = i + 2;
    for (; j < lines.length && !/^\s*\*\s*```\s*$/.test(lines[j]); j++) code.push(lines[j].replace(/^\s*\* ?/, ''));
    found.push({ file, line: i + 3, code: code.join('\n'), fragment: true });
    i = j;
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const paths = Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, [file]]));
  // The package's entry points, from source: no build needed.
  return { ...options, noEmit: true, baseUrl: root, paths };
}

/** A compiler host that serves `virtual` files beside the real ones. */
function compilerHost(options: ts.CompilerOptions, virtual: ReadonlyMap<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = virtual.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, language) : getSourceFile.call(host, name, language, ...rest);
  };
  return host;
}

/**
 * The library's source as one program (built once; each check reuses its files), and what
 * each name a fragment may use is to be imported from: an entry's export, else, for the
 * examples of functions no entry exports, an export of the file that holds the example.
 */
const library = (() => {
  let made: { options: ts.CompilerOptions; program: ts.Program; from: (file: string) => Map<string, string> } | undefined;
  return () => {
    if (made) return made;
    const options = compilerOptions();
    const program = ts.createProgram(
      [...Object.values(ENTRIES).map((file) => join(root, file)), ...sourceFiles(join(root, 'src'))],
      options,
      compilerHost(options, new Map()),
    );
    const checker = program.getTypeChecker();
    const exportsOf = (file: string) => {
      const source = program.getSourceFile(file);
      const module = source && checker.getSymbolAtLocation(source);
      return module ? checker.getExportsOfModule(module).map((e) => e.name) : [];
    };
    const entryExports = new Map<string, string>();
    for (const [module, file] of Object.entries(ENTRIES)) {
      for (const name of exportsOf(join(root, file))) if (!entryExports.has(name)) entryExports.set(name, module);
    }
    const from = (file: string) => {
      const names = new Map(entryExports);
      const module = relative(EXAMPLES, join(root, file)).replace(/\.ts$/, '');
      for (const name of exportsOf(join(root, file))) if (!names.has(name)) names.set(name, module);
      return names;
    };
    return (made = { options, program, from });
  };
})();

/** Type-checks each example as a module of its own; returns the errors as `file:line: message`. */
function typeCheck(examples: readonly Example[]): string[] {
  const { options, program: base, from } = library();
  const virtual = new Map<string, string>();
  const at = new Map<string, { example: Example; offset: number }>();
  virtual.set(join(EXAMPLES, 'placeholders.d.ts'), PLACEHOLDERS);
  examples.forEach((example, i) => {
    const prelude = example.fragment ? imports(example.code, from(example.file)) : [];
    const name = join(EXAMPLES, `example${i + 1}.ts`);
    // `export {}` makes a block without imports a module: top-level await, no globals shared with the others.
    virtual.set(name, [...prelude, example.code, 'export {};', ''].join('\n'));
    at.set(name, { example, offset: prelude.length });
  });
  const program = ts.createProgram([...virtual.keys()], options, compilerHost(options, virtual), base);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const place = at.get(d.file.fileName);
    return place
      ? `${place.example.file}:${place.example.line + line - place.offset}: ${message}`
      : `${relative(root, d.file.fileName)}:${line + 1}: ${message}`;
  });
}

/** Import lines for the package's names a fragment uses and does not import or declare itself. */
function imports(code: string, from: ReadonlyMap<string, string>): string[] {
  const own = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|function|class)\s+(\w+)|import\s*\{([^}]*)\}|import \* as (\w+)/g)) {
    for (const name of (m[1] ?? m[2] ?? m[3]).split(','))
      own.add(
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop()!,
      );
  }
  const byModule = new Map<string, Set<string>>();
  for (const [name] of code.matchAll(/\b[A-Za-z_$][\w$]*\b/g)) {
    const module = from.get(name);
    if (module === undefined || own.has(name)) continue;
    if (!byModule.has(module)) byModule.set(module, new Set());
    byModule.get(module)!.add(name);
  }
  const lines = [...byModule].map(([module, names]) => `import { ${[...names].join(', ')} } from '${module}';`);
  if (/\btf\./.test(code) && !own.has('tf')) lines.push("import * as tf from '@tensorflow/tfjs-core';");
  return lines;
}

describe('documentation examples', () => {
  it('the README examples type-check against the source', () => {
    const examples = markdownExamples(readFileSync(join(root, 'README.md'), 'utf8'), 'README.md');
    // The README's blocks: the complete example, a task of your own, timed, the warm-up.
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(typeCheck(examples)).toEqual([]);
  });

  it('the doc comments examples type-check against the source', () => {
    const examples = sourceFiles(join(root, 'src')).flatMap((file) => docExamples(readFileSync(file, 'utf8'), relative(root, file)));
    expect(examples.length).toBeGreaterThanOrEqual(40);
    expect(typeCheck(examples)).toEqual([]);
  });

  it('a wrong example is reported at its own line', () => {
    const markdown = ['# x', '```ts', "import { generate, digits } from 'otfgen';", "generate(digits, { batchSize: 'one' });", '```'].join('\n');
    const source = ['/**', ' * @example', ' * ```ts', " * generate(digits, { batchSize: 'one' });", ' * ```', ' */'].join('\n');
    const errors = typeCheck([...markdownExamples(markdown, 'X.md'), ...docExamples(source, 'x.ts')]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^X\.md:4: .*'string'/);
    expect(errors[1]).toMatch(/^x\.ts:4: .*'string'/);
  });
});
