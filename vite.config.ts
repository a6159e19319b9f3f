// One Vite config builds every page into dist/<page>/. `npm run build`
// (scripts/build.mjs) runs it once per page (GILIRAN_PAGE) so that each page
// carries only the code it uses: a TV must not load the kiosk's share of the
// Svelte runtime. Without GILIRAN_PAGE (dev server) all pages are served.
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
export const PAGES = ['index', 'kiosk', 'counter', 'display'] as const;
const html = (p: string) => resolve(root, p === 'index' ? 'index.html' : `${p}/index.html`);
const only = process.env.GILIRAN_PAGE;
if (only && !(PAGES as readonly string[]).includes(only)) throw new Error(`GILIRAN_PAGE must be one of ${PAGES.join(', ')}`);

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: !only,
    target: 'es2020',
    // Each page is one script with no <link rel="modulepreload"> to polyfill
    // (lazy chunks are preloaded by Vite's own helper): the polyfill is dead weight.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: only ? { [only]: html(only) } : Object.fromEntries(PAGES.map((p) => [p, html(p)])),
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/healthz': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
