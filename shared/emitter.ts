/** A typed publish/subscribe list, used by the store's event pushes and by the renderer's transport. */
export interface Emitter<Map> {
  on<K extends keyof Map>(name: K, listener: (payload: Map[K]) => void): () => void;
  emit<K extends keyof Map>(name: K, payload: Map[K]): void;
  names(): (keyof Map)[];
}

export function createEmitter<Map>(): Emitter<Map> {
  const listeners = new Map<keyof Map, Set<(payload: never) => void>>();
  return {
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
        if (set.size === 0) listeners.delete(name);
      };
    },
    emit(name, payload) {
      for (const listener of listeners.get(name) ?? []) (listener as (p: typeof payload) => void)(payload);
    },
    names: () => [...listeners.keys()],
  };
}
