/**
 * The shape of the code, checked: no module imports itself back through others, and routes
 * reach the database only through the modules under src/ (no SQL in src/routes/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => join(folder, name).split('\\').join('/'));
}

const FILES = [...sourceFiles('src'), ...sourceFiles('views')];
const KNOWN = new Set(FILES);

/** The repository's own modules a file imports (type-only imports included: they tie modules together too). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g),
  ].map((match) => match[1] ?? match[2]!);
  return specifiers
    .map((specifier) =>
      relative(ROOT, resolve(ROOT, dirname(file), specifier))
        .split('\\')
        .join('/'),
    )
    .flatMap((path) =>
      [path.replace(/\.js$/, '.ts'), path.replace(/\.js$/, '.tsx')]
        .filter((candidate) => KNOWN.has(candidate))
        .slice(0, 1),
    );
}

/** Every cycle of imports, each as the files along it (found once, from its first file in order). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (file: string) => {
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(file);
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

describe('architecture', () => {
  it('has no import cycle between modules', () => {
    const graph = new Map(FILES.map((file) => [file, importsOf(file)]));
    expect(importCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  /** The folders of src/ (model, auth, settings, ...) and views/, each as one module; src/'s own files each as theirs. */
  const folderOf = (file: string) =>
    file.startsWith('views/') ? 'views' : /^src\/[^/]+\//.test(file) ? file.split('/').slice(0, 2).join('/') : file;

  function folderCycles(): string[] {
    const graph = new Map<string, Set<string>>();
    for (const file of FILES) {
      const edges = graph.get(folderOf(file)) ?? new Set<string>();
      for (const imported of importsOf(file)) if (folderOf(imported) !== folderOf(file)) edges.add(folderOf(imported));
      graph.set(folderOf(file), edges);
    }
    return importCycles(new Map([...graph].map(([folder, edges]) => [folder, [...edges]]))).map((cycle) =>
      cycle.join(' -> '),
    );
  }

  // Other folders still import each other in cycles (http, outbound, audit, integrations, settings): issue 12, item 3.
  it.each(['src/model', 'src/auth', 'src/db'])('keeps %s out of every cycle between folders', (folder) => {
    expect(folderCycles().filter((cycle) => cycle.split(' -> ').includes(folder))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('keeps SQL out of the routes: they call modules under src/ that query the database', () => {
    const SQL =
      /from 'drizzle-orm(?:\/[^']*)?'|\bdb\s*\.\s*(?:select|insert|update|delete|run|all|get|transaction)\s*\(|\.prepare\(|\bsql`|\$client\b/;
    const offending = sourceFiles('src/routes').filter((file) => SQL.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offending).toEqual([]);
  });
});
