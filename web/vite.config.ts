// Multi-page build: `/` → index.html (development page), `/call/<id>` → call.html. The
// server serves both from --web-root, so every asset URL must be absolute (base '/').
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  base: '/',
  build: {
    target: 'es2022',
    // The CSP forbids inline scripts; keep everything in files under /assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        index: page('./index.html'),
        call: page('./call.html'),
      },
    },
  },
});
