// Shared ESLint flat config for every Consilium workspace.
// Type-aware rules catch the mistakes that matter here (floating promises in servers,
// untyped imports); two project rules keep the architecture honest:
//   - environment variables are read only in an app's env.ts (libraries take options);
//   - only @consilium/api may import TRPCError (everything else throws AppError).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** @param {{ tsconfigRootDir: string, envFiles?: string[], allowTrpcErrors?: boolean }} options */
export function config({ tsconfigRootDir, envFiles = ['**/env.ts'], allowTrpcErrors = false }) {
  return tseslint.config(
    { ignores: ['**/node_modules/**', '**/.next/**', '**/dist/**', '**/drizzle/**', '**/*.js', '**/*.mjs', 'next-env.d.ts'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        globals: { ...globals.node },
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
        '@typescript-eslint/require-await': 'off',
        'no-restricted-properties': [
          'error',
          { object: 'process', property: 'env', message: 'Read environment variables only in the app\'s env.ts; pass options to libraries.' },
        ],
        'no-restricted-imports': allowTrpcErrors
          ? 'off'
          : ['error', { paths: [{ name: '@trpc/server', importNames: ['TRPCError'], message: 'Throw AppError from @consilium/errors; the API maps it once.' }] }],
      },
    },
    { files: envFiles, rules: { 'no-restricted-properties': 'off' } },
    {
      files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**', '**/e2e/**'],
      rules: {
        'no-restricted-properties': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
      },
    },
  );
}
