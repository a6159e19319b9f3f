// One Vite config builds every page into dist/<page>/. `npm run build`
// (scripts/build.mjs) runs it once per page (GILIRAN_PAGE) so that each page
// carries only the code it uses: a TV must not load the kiosk's share of the
// Svelte runtime. Without GILIRAN_PAGE (dev server) all pages are served.
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
export const PAGES = ['index', 'kiosk', 'counter', 'display'] as const;
const html = (p: string) => resolve(root, p === 'index' ? 'index.html' : `${p}/index.html`);
const only = process.env.GILIRAN_PAGE;

/**
 * engine.io-client lists WebTransport among its default transports, and that
 * module pulls in engine.io-parser's stream codecs. Our server never offers
 * WebTransport (it needs HTTP/3 and an explicit `transports` option), so the
 * pages leave it out: the transport table then holds polling and WebSocket,
 * as the connection always used (~0.8 KB gzip per page).
 */
const noWebTransport: Plugin = {
  name: 'giliran-no-webtransport',
  enforce: 'pre',
  resolveId(id, importer) {
    if (id === './webtransport.js' && importer?.includes('/engine.io-client/')) return '\0giliran-no-webtransport';
    return null;
  },
  load(id) {
    return id === '\0giliran-no-webtransport' ? 'export const WT = undefined;' : null;
  },
};
if (only && !(PAGES as readonly string[]).includes(only)) throw new Error(`GILIRAN_PAGE must be one of ${PAGES.join(', ')}`);

export default defineConfig({
  root,
  base: '/',
  // No window.__svelte version registration in the pages (nothing reads it).
  plugins: [svelte({ compilerOptions: { discloseVersion: false } }), noWebTransport],
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
