// Multi-page build. The server serves them from --web-root: `/` → index.html (development
// page), `/call/<id>` → call.html (rooms flow), `/login` → login.html, `/dashboard` →
// dashboard.html, `/join` → join.html (patient entry), `/consult/<appointment id>` →
// consult.html (practitioner's call view), `/setup` → setup.html (first run), `/terms` → terms.html (a practice's terms, K10). Every asset URL must be absolute (base '/').
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
        login: page('./login.html'),
        dashboard: page('./dashboard.html'),
        join: page('./join.html'),
        consult: page('./consult.html'),
        setup: page('./setup.html'),
        terms: page('./terms.html'),
      },
    },
  },
});
