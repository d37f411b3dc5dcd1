import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -w @countersign/server` writes a new migration into drizzle/ after a schema change.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
