/**
 * The browser-mode transport (DESIGN.md §2): operations as POSTs to the browser host, events
 * as one server-sent stream. The stream comes back by itself when the host restarts (a till
 * left open overnight, a host killed and started again): tried again after 1 s, doubling to
 * 10 s; once it is back, the one event that is state rather than news (sync.status) is read
 * afresh, since what happened while it was away was missed.
 */
import type { Bridge, EventName, Events, InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import { createEmitter } from '../../shared/emitter.ts';
import type { Result } from '../../shared/errors.ts';

export interface HttpBridgeOptions {
  /** Where the host is: '' (this page's origin) in the app, an absolute origin in tests. */
  base?: string;
  /** Milliseconds before the n-th attempt to reconnect the event stream (n from 1). */
  reconnectDelay?: (attempt: number) => number;
}

const defaultReconnectDelay = (attempt: number) => Math.min(10_000, 1000 * 2 ** (attempt - 1));

export function httpBridge(token: string, options: HttpBridgeOptions = {}): Bridge {
  const base = options.base ?? '';
  const reconnectDelay = options.reconnectDelay ?? defaultReconnectDelay;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const events = createEmitter<Events>();
  let stream: AbortController | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  async function call<N extends OperationName>(name: N, input: InputOf<N>): Promise<Result<OutputOf<N>>> {
    try {
      const response = await fetch(`${base}/api/op/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input),
      });
      return (await response.json()) as Result<OutputOf<N>>;
    } catch (error) {
      return { ok: false, error: { code: 'unavailable', reason: 'host_unreachable', message: String(error) } };
    }
  }

  /** (Re)opens the stream for the events listened to now; a later call replaces it. */
  async function listen(): Promise<void> {
    stream?.abort();
    if (retry) clearTimeout(retry);
    retry = null;
    const names = events.names();
    if (names.length === 0) return;
    const controller = new AbortController();
    stream = controller;
    try {
      const response = await fetch(`${base}/api/events?names=${names.join(',')}`, { headers, signal: controller.signal });
      if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
      if (failures > 0 && events.names().includes('sync.status')) {
        void call('sync.status', {}).then((r) => r.ok && controller === stream && events.emit('sync.status', r.value));
      }
      failures = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
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
      // Aborted (replaced by a newer stream) or the host went away: handled below.
    }
    // The host ended the stream or could not be reached: come back unless replaced meanwhile.
    if (controller !== stream || controller.signal.aborted) return;
    failures++;
    retry = setTimeout(() => void listen(), reconnectDelay(failures));
  }

  return {
    call,
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
