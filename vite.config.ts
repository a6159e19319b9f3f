// One Vite config builds every page into dist/<page>/. `npm run build`
// (scripts/build.mjs) runs it once per page (GILIRAN_PAGE) so that each page
// carries only the code it uses: a TV must not load the kiosk's share of the
// Svelte runtime. Without GILIRAN_PAGE (dev server) all pages are served.
import path, { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
export const PAGES = ['index', 'kiosk', 'counter', 'display', 'track', 'admin', 'book', 'survey'] as const;
const html = (p: string) => resolve(root, p === 'index' ? 'index.html' : `${p}/index.html`);
const only = process.env.GILIRAN_PAGE;
if (only && !(PAGES as readonly string[]).includes(only)) throw new Error(`GILIRAN_PAGE must be one of ${PAGES.join(', ')}`);

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

/**
 * Vite wraps every lazy import() in its preload helper (~0.7 KB gzip), even
 * when the chunk brings nothing to preload (vitejs/vite#13952). An import
 * whose chunks have no CSS and no imports of their own (the TV's announcer)
 * is left a plain import(), so the helper drops out of a page that has no
 * other use for it. Imports that do preload (the counter's supervisor view
 * and its CSS) keep the helper.
 */
const plainLazyImports: Plugin = {
  name: 'giliran-plain-lazy-imports',
  renderChunk(code, chunk, _options, meta) {
    const marker = /,\s*__VITE_PRELOAD__(\s*,\s*import\.meta\.url)?\s*\)/y;
    let out = '';
    let from = 0;
    for (let i = code.indexOf('__vitePreload(', from); i !== -1; i = code.indexOf('__vitePreload(', from)) {
      const end = code.indexOf('__VITE_PRELOAD__', i);
      if (end === -1) break;
      const body = code.slice(i + '__vitePreload('.length, end).replace(/,\s*$/, '');
      const comma = code.lastIndexOf(',', end);
      marker.lastIndex = comma;
      const m = marker.exec(code);
      const targets = [...body.matchAll(/import\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((t) => path.posix.join(path.posix.dirname(chunk.fileName), t[1]!));
      const plain = m && targets.length > 0 && targets.every((t) => {
        const c = meta.chunks[t];
        return c && c.imports.length === 0 && (c.viteMetadata?.importedCss.size ?? 0) === 0;
      });
      if (!plain || body.includes('__vitePreload(')) {
        out += code.slice(from, end);
        from = end;
        continue;
      }
      out += `${code.slice(from, i)}(${body})()`;
      from = comma + m[0].length;
    }
    return from === 0 ? null : { code: out + code.slice(from), map: null };
  },
};

export default defineConfig({
  root,
  base: '/',
  // No window.__svelte version registration in the pages (nothing reads it).
  plugins: [svelte({ compilerOptions: { discloseVersion: false } }), noWebTransport, plainLazyImports],
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
