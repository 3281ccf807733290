/**
 * Loaded with `node --import` before electronegativity (see electronegativity.test.ts):
 * - its TypeScript parser (@typescript-eslint/typescript-estree 4, hoisted to the root) must use
 *   the TypeScript 4.2 electronegativity ships, not our TypeScript 7 (which has no JS API);
 * - its online lookups (translation updates, Electron's release list) are answered "offline" at
 *   once by offline-got.cjs: this machine has no internet, and got's retry after a failed request
 *   crashes the process under Node 24. The one check that needs the release list is excluded.
 */
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const root = new URL('../../', import.meta.url);
const nestedTypescript = new URL('node_modules/@doyensec/electronegativity/node_modules/typescript/lib/typescript.js', root).href;
const offlineGot = pathToFileURL(new URL('offline-got.cjs', import.meta.url).pathname).href;

registerHooks({
  resolve(specifier, context, next) {
    const parent = context.parentURL ?? '';
    if (specifier === 'typescript' && parent.includes('/@typescript-eslint/')) {
      return { url: nestedTypescript, format: 'commonjs', shortCircuit: true };
    }
    if (specifier === 'got' && parent.includes('/@doyensec/electronegativity/')) {
      return { url: offlineGot, format: 'commonjs', shortCircuit: true };
    }
    return next(specifier, context);
  },
});
