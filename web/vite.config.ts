/**
 * Builds the dashboard (web/) into dist/web/, which meshtrace serves on its API port.
 * Nothing is inlined as a data: URI or inline script, so the page runs under a strict CSP
 * (`default-src 'self'`), and the base is relative, so it works behind a path prefix too.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    // One small entry chunk: nothing to preload, so no preload helper in the bundle.
    modulePreload: false,
  },
  // `npx vite --config web/vite.config.ts` serves the page with hot reload; the API comes from a
  // meshtrace running on its default port (`node dist/cmd/meshtrace.js serve --demo`).
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
