import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * Electron main and preload as CommonJS bundles, built one at a time (`--mode main|preload`)
 * so the sandboxed preload is one self-contained file; better-sqlite3 stays external (native).
 */
export default defineConfig(({ mode }) => {
  const entry = mode === 'preload' ? 'preload' : 'main';
  return {
    build: {
      outDir: 'dist/electron',
      emptyOutDir: entry === 'main',
      target: 'node22',
      ssr: true,
      sourcemap: true,
      minify: false,
      rollupOptions: {
        input: { [entry]: `electron/${entry}.ts` },
        external: ['electron', 'better-sqlite3', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
    ssr: { noExternal: true },
  };
});
