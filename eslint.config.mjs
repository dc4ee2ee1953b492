import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'charts/**', 'node_modules/**', '.vitest/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      'no-restricted-syntax': ['error', 'ExportAllDeclaration'],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration via src/config only' }],
      'no-console': 'error',
      // fastify route handlers are async by convention, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      complexity: ['warn', 15],
      'max-depth': ['warn', 4],
      'max-params': ['warn', 5],
    },
  },
  {
    files: ['src/model/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'src/model is a leaf module' }] }] },
  },
  {
    files: ['src/zipkin-ingest/**', 'src/otlp-ingest/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/traces/**', '**/server/**', '**/zipkin-api/**'],
        message: 'Ingest emits model spans to a SpanSink; it must not know storage' }] }],
    },
  },
  {
    // xDS reuses the controller's pure rules (precedence, mesh config, policy), never its Kubernetes I/O.
    files: ['src/xds/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/controller/*', '!**/controller/precedence.js', '!**/controller/mesh-config.js', '!**/controller/policy.js', '!**/controller/telemetry.js'],
        message: 'src/xds may import only the controller\'s pure modules' }] }],
    },
  },
  { files: ['src/config/**'], rules: { 'no-restricted-properties': 'off' } },
  { files: ['cmd/**', 'bench/**'], rules: { 'no-console': 'off', 'no-restricted-properties': 'off' } },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      'no-restricted-properties': 'off',
      complexity: 'off',
    },
  },
);
