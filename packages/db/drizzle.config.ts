import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/schema.ts and committed (never `drizzle-kit push`).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
});
