/**
 * `npm run build`: bundles Cascade's programs (the server, the backup, the copy to PostgreSQL and the import from a code host) with their own modules,
 * views included, into dist/ for Node 20, with source maps; packages from node_modules stay
 * imports. The bundles find drizzle/ and public/ from the package root (src/paths.ts), as src/ does.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server.ts', 'src/backup.ts', 'src/copy-database.ts', 'src/import.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // The maps point at src/, which is beside dist/: without a copy of the sources they are a
  // third of the size, and Node reads them at start with --enable-source-maps.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
