// The web UI (ui/): a multi-page Vite build into ui/dist, served by the express app (server/app.ts).
// Each page is its own entry so clerks never download the designer's modeler bundle.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, 'ui');
export const PAGES = ['index', 'login', 'tasks', 'dashboard', 'designer', 'admin'] as const;

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    // The designer (camunda-bpmn-js modeler + properties panel + linting) is ~3 MB raw by design.
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: Object.fromEntries(PAGES.map((p) => [p, resolve(root, `${p}.html`)])) },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/healthz': 'http://127.0.0.1:3000' } },
});
