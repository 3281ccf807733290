/**
 * The renderer's one way to reach the store: IPC when Electron's preload is present,
 * otherwise HTTP to the browser host (DESIGN.md §2). Both carry the same contract.
 */
import type { Bridge, EventName, Events, InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import { createEmitter } from '../../shared/emitter.ts';
import type { Result } from '../../shared/errors.ts';

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

function httpBridge(token: string): Bridge {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const events = createEmitter<Events>();
  let stream: AbortController | null = null;

  async function listen(): Promise<void> {
    stream?.abort();
    const names = events.names();
    if (names.length === 0) return;
    const controller = new AbortController();
    stream = controller;
    try {
      const response = await fetch(`/api/events?names=${names.join(',')}`, { headers, signal: controller.signal });
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      while (reader) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1] as EventName | undefined;
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.emit(event, JSON.parse(data));
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted on resubscribe, or the host stopped: the next subscribe reconnects.
    }
  }

  return {
    async call<N extends OperationName>(name: N, input: InputOf<N>): Promise<Result<OutputOf<N>>> {
      try {
        const response = await fetch(`/api/op/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input),
        });
        return (await response.json()) as Result<OutputOf<N>>;
      } catch (error) {
        return { ok: false, error: { code: 'unavailable', reason: 'host_unreachable', message: String(error) } };
      }
    },
    subscribe<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      const off = events.on(name, listener);
      void listen();
      return () => {
        off();
        void listen();
      };
    },
  };
}

export const transport: 'ipc' | 'http' = window.tilldesk ? 'ipc' : 'http';
export const bridge: Bridge = window.tilldesk ? ipcBridge(window.tilldesk) : httpBridge(browserToken());
