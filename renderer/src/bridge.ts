/**
 * The renderer's one way to reach the store: IPC when Electron's preload is present,
 * otherwise HTTP to the browser host (DESIGN.md §2). Both carry the same contract.
 */
import type { Bridge } from '../../shared/api.ts';
import type { Result } from '../../shared/errors.ts';
import { httpBridge } from './http-bridge.ts';

interface PreloadApi {
  ops: Record<string, (input: unknown) => Promise<Result<unknown>>>;
  subscribe(name: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    tilldesk?: PreloadApi;
  }
}

function ipcBridge(preload: PreloadApi): Bridge {
  return {
    call: (name, input) => {
      const fn = preload.ops[name];
      if (!fn) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown_operation', reason: 'unknown_operation', message: `Unknown operation: ${name}` },
        });
      }
      return fn(input) as never;
    },
    subscribe: (name, listener) => preload.subscribe(name, listener as (payload: unknown) => void),
  };
}

const tokenKey = 'tilldesk.token';

/** The per-run token arrives in the URL once; kept for reloads of this tab, then hidden from the address bar. */
function browserToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(tokenKey) ?? '';
}

export const transport: 'ipc' | 'http' = window.tilldesk ? 'ipc' : 'http';
export const bridge: Bridge = window.tilldesk ? ipcBridge(window.tilldesk) : httpBridge(browserToken());
