/**
 * `npm run bench:compare [ref]`: runs the benchmark of an earlier commit and of the working
 * tree, one after the other on this machine, and prints each measure of both with the ratio
 * against a budget of 1.15×. The default ref is the last commit before issue 12 (the settings
 * service and the asynchronous data layer).
 *
 * The earlier commit is checked out in a throwaway git worktree with its own fixtures, migrations
 * and server, but both sides are measured by the working tree's `bench/run.ts`, so that only the
 * app differs; the figures are read from the table it prints.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DEFAULT_BASELINE = '56a28cd';
const BUDGET = 1.15;

interface Figure {
  measure: string;
  value: string;
  /** The leading number: milliseconds, or requests per second. */
  amount: number;
  higherIsBetter: boolean;
}

/** The rows of the table `bench/run.ts` prints. */
export function parseTable(output: string): Figure[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Measure'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, measure, value]) => ({
      measure: measure!,
      value: value!,
      amount: Number(/^[\d.]+/.exec(value!)?.[0] ?? Number.NaN),
      higherIsBetter: value!.includes('req/s'),
    }));
}

function runBench(cwd: string, label: string): Promise<Figure[]> {
  console.log(`\n== ${label} ==`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('exit', (code) =>
      code === 0 ? done(parseTable(output)) : fail(new Error(`${label}: bench exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const ref = process.argv[2] ?? DEFAULT_BASELINE;
  const root = resolve(import.meta.dirname, '..');
  const folder = mkdtempSync(join(tmpdir(), 'cascade-baseline-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
      .toString()
      .trim();
  const baselineName = git('log', '-1', '--format=%h %s', ref);
  git('worktree', 'add', '--detach', folder, ref);
  try {
    symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
    copyFileSync(join(root, 'bench', 'run.ts'), join(folder, 'bench', 'run.ts'));
    const before = await runBench(folder, `before: ${baselineName}`);
    const after = await runBench(root, 'after: the working tree');
    printComparison(baselineName, before, after);
  } finally {
    git('worktree', 'remove', '--force', folder);
    rmSync(folder, { recursive: true, force: true });
  }
}

function printComparison(baselineName: string, before: Figure[], after: Figure[]): void {
  const header = ['Measure', 'Before', 'After', `After / before (budget ${BUDGET}×)`, 'Met'];
  const lines = after.map((figure) => {
    const old = before.find((candidate) => candidate.measure === figure.measure);
    if (!old) return [figure.measure, '(not measured)', figure.value, '', ''];
    const ratio = figure.higherIsBetter ? old.amount / figure.amount : figure.amount / old.amount;
    return [figure.measure, old.value, figure.value, `${ratio.toFixed(2)}×`, ratio <= BUDGET ? 'yes' : 'NO'];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\nCompared with ${baselineName} (slower times and lower rates count against the budget):`);
  console.log([format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n'));
}

await main();
