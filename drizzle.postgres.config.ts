import { defineConfig } from 'drizzle-kit';

// The same tables for PostgreSQL (src/db/schema.pg.ts); `npm run db:generate` runs both configs.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.pg.ts',
  out: './drizzle/postgres',
});
