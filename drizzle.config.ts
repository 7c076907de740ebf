import { defineConfig } from 'drizzle-kit';

// SQLite, the embedded default. PostgreSQL's tables: drizzle.postgres.config.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './drizzle/sqlite',
});
