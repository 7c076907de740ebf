/**
 * The shape of the code, checked: no module or folder imports itself back through others,
 * routes reach the database only through the modules under src/ (no SQL in src/routes/), and
 * the data layer is asynchronous throughout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
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

  it('has no import cycle between folders: each folder of src/ builds only on others', () => {
    expect(folderCycles()).toEqual([]);
  });

  /** Exported functions (and the settings store's methods) that take the database, and what they are declared to return. */
  function dataFunctions(file: string): { name: string; returns: string }[] {
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const found: { name: string; returns: string }[] = [];
    const takesDatabase = (node: ts.SignatureDeclaration) =>
      node.parameters.some((parameter) =>
        /\b(?:Db|Queryable|Tx|SettingsStore)\b/.test(parameter.type?.getText() ?? ''),
      );
    const returns = (node: ts.SignatureDeclaration) => node.type?.getText() ?? '(not declared)';
    for (const statement of source.statements) {
      const exported = ts
        .getModifiers(statement as ts.HasModifiers)
        ?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (ts.isFunctionDeclaration(statement) && exported && takesDatabase(statement))
        found.push({ name: statement.name!.text, returns: returns(statement) });
      if (ts.isClassDeclaration(statement) && statement.name?.text === 'SettingsStore') {
        for (const member of statement.members) {
          const usesDatabase = /\bthis\.db\b/.test(member.getText());
          if (ts.isMethodDeclaration(member) && usesDatabase && member.name.getText() !== 'within')
            found.push({ name: `SettingsStore.${member.name.getText()}`, returns: returns(member) });
        }
      }
    }
    return found;
  }

  it('gives every function of the model, settings, auth and audit that reads or writes the database a promise (or an async generator of its rows)', () => {
    const files = ['src/model', 'src/settings', 'src/auth', 'src/audit'].flatMap(sourceFiles);
    const all = files.flatMap(dataFunctions);
    expect(all.length).toBeGreaterThan(60);
    const asynchronous = (returns: string) => /^(?:Promise|AsyncGenerator|AsyncIterable)</.test(returns);
    expect(all.filter((fn) => !asynchronous(fn.returns)).map((fn) => `${fn.name}: ${fn.returns}`)).toEqual([]);
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
