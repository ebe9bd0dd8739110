/// <reference types="node" />
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/**
 * Where the dev server (`npx vite --config apps/web/vite.config.ts`) proxies API and socket
 * calls: a platform started by hand with HTTP_PORT=3999.
 */
const devTarget = 'http://127.0.0.1:3999';

/**
 * The dev server's version of the platform's SPA fallbacks (apps/platform/src/web/web-static.ts):
 * `/caregiver/...` → caregiver/index.html, other page paths → index.html.
 */
function historyFallback(): Plugin {
  return {
    name: 'anxin-history-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '/';
        const accept = req.headers.accept ?? '';
        const isPage = req.method === 'GET' && accept.includes('text/html') && !/\.[a-z0-9]+(\?|$)/i.test(url);
        if (isPage && !/^\/(api|socket\.io|mqtt|@)/.test(url)) {
          req.url = /^\/caregiver(\/|$|\?)/.test(url) ? '/caregiver/index.html' : '/index.html';
        }
        next();
      });
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  appType: 'mpa',
  plugins: [react(), historyFallback()],
  resolve: {
    alias: { '@anxin/contract': path.join(repoRoot, 'libs/contract/src/index.ts') },
  },
  build: {
    outDir: path.join(repoRoot, 'dist/apps/web'),
    emptyOutDir: true,
    // No public source maps: production builds ship the minified bundles only.
    sourcemap: false,
    rolldownOptions: {
      input: {
        console: path.join(here, 'index.html'),
        caregiver: path.join(here, 'caregiver/index.html'),
      },
    },
  },
  server: {
    port: 5174,
    strictPort: true,
    proxy: {
      '/api': { target: devTarget },
      '/socket.io': { target: devTarget, ws: true },
    },
  },
});
