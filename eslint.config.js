import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.test-results/**', 'recordings/**', 'src/web/**/vendor/**', 'src/pbx/ari/models.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/web/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries([
        'window', 'document', 'WebSocket', 'fetch', 'localStorage', 'sessionStorage', 'location', 'history', 'console',
        'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame',
        'navigator', 'URL', 'URLSearchParams', 'Option', 'Audio', 'HTMLElement', 'Event', 'CustomEvent', 'AbortController',
        'echarts', 'performance', 'confirm', 'alert', 'prompt', 'matchMedia', 'getComputedStyle', 'ResizeObserver',
      ].map((name) => [name, 'readonly'])),
    },
  },
  {
    // Tests read free-form JSON answers.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
