import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { metaContentSecurityPolicy } from './shared/csp.ts';

/** The built page carries its CSP in a meta tag too (not in dev: Vite's dev server injects inline scripts). */
const cspMeta: Plugin = {
  name: 'tilldesk-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy },
      injectTo: 'head-prepend',
    },
  ],
};

/** The renderer: built to dist/renderer, served by Electron's app:// protocol or the browser host. */
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react(), cspMeta],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
  },
});
