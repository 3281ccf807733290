/**
 * Sends the till's pending actions to the store one at a time, in the order the cashier did
 * them (renderer/src/pending.ts). A write the store cannot take now (read-only, disk full,
 * I/O error, host unreachable) keeps its action at the head of the queue and is tried again
 * with backoff; after a failure whose outcome is unknown, the open sale is read back first so
 * an action that did land is never sent twice. Works on any `call` with the contract's shape:
 * the page's bridge, or the store's API under Node in the tests.
 */
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { ApiError, Result } from '../../shared/errors.ts';
import type { Order } from '../../shared/sale.ts';
import type { Override } from '../../shared/staff.ts';
import { type CartAction, outcomeOf, type PendingAction, pendingLineId, requestOf, retryDelay, sameSale } from './pending.ts';

export type Call = <N extends OperationName>(name: N, input: InputOf<N>) => Promise<Result<OutputOf<N>>>;

/** How a pushed action first came out: committed, waiting behind a fault, refused, or waiting for a manager. */
export type PushOutcome = { kind: 'saved' } | { kind: 'waiting' } | { kind: 'refused'; error: ApiError } | { kind: 'manager' };

export interface QueueState {
  /** The open sale as the store last answered. */
  confirmed: Order | null;
  /** Not yet committed, oldest first. */
  pending: readonly PendingAction[];
  /** Pending line ids → the store's ids, once their action committed. */
  named: ReadonlyMap<string, string>;
  /** Why the head action is waiting (the store cannot save), or null. */
  fault: ApiError | null;
  /** When the next try is due (Date.now() milliseconds), while there is a fault. */
  retryAt: number | null;
  /** The head action needs a manager: it waits for approve() or cancelOverride(). */
  manager: { permission: string; seq: number } | null;
  /** The sale the store last completed. */
  completed: Order | null;
}

export interface CartQueue {
  state(): QueueState;
  /** Adds an action at the end and starts sending; `lineId` is what its guessed line is called meanwhile. */
  push(action: CartAction): { seq: number; lineId: string; outcome: Promise<PushOutcome> };
  /** Changes an action not yet sent (a scan whose lookup answered). */
  revise(seq: number, change: (action: CartAction) => CartAction): void;
  /** Drops an action not yet sent (a scan the lookup already refused). */
  withdraw(seq: number, error: ApiError): boolean;
  /** The store's open sale read afresh (start, sign-in); ignored while actions are pending. */
  loaded(order: Order | null): void;
  /** Try the head action now instead of waiting for the timer. */
  retryNow(): void;
  approve(override: Override): void;
  cancelOverride(): void;
  /** Shows a sale the store completed outside the queue (a refund from the returns dialog). */
  showCompleted(order: Order): void;
  /** Resolves once nothing is pending (at once when nothing is): for reads that must see every write. */
  idle(): Promise<void>;
  /** Stop the timer (tests, unmount). */
  stop(): void;
}

export interface QueueOptions {
  call: Call;
  /** Told after every change of state. */
  onChange?: (state: QueueState) => void;
  /** Told when an action is refused for good, with why. */
  onRefused?: (error: ApiError, action: CartAction) => void;
  /** Backoff schedule, milliseconds for the n-th retry (tests shorten it). */
  delay?: (attempt: number) => number;
  /**
   * When to start sending after a push. The page passes "after this task", so a scan's
   * request is not made inside the keydown that paints its line (a fetch costs ~1 ms there).
   */
  later?: (run: () => void) => void;
}

/** Pending line ids remembered after their line was named by the store. */
const maxNamed = 500;

export function createCartQueue(options: QueueOptions): CartQueue {
  const { call } = options;
  const delay = options.delay ?? retryDelay;
  const later = options.later ?? ((run: () => void) => run());
  let state: QueueState = {
    confirmed: null,
    pending: [],
    named: new Map(),
    fault: null,
    retryAt: null,
    manager: null,
    completed: null,
  };
  let seq = 0;
  let attempt = 0;
  let running = false;
  /** After a failure the store may or may not have committed the head action: read back first. */
  let unsure = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const waiters = new Map<number, (outcome: PushOutcome) => void>();
  let idlers: (() => void)[] = [];

  function set(change: Partial<QueueState>): void {
    state = { ...state, ...change };
    options.onChange?.(state);
    if (state.pending.length === 0 && idlers.length > 0) {
      const wake = idlers;
      idlers = [];
      for (const resolve of wake) resolve();
    }
  }

  function settle(n: number, outcome: PushOutcome): void {
    const resolve = waiters.get(n);
    if (!resolve) return;
    waiters.delete(n);
    resolve(outcome);
  }

  function without(n: number): PendingAction[] {
    return state.pending.filter((p) => p.seq !== n);
  }

  /** The store committed `head`: its answer becomes the truth. */
  function commit(head: PendingAction, value: unknown): void {
    const named = new Map(state.named);
    const a = head.action;
    const change: Partial<QueueState> = { pending: without(head.seq), fault: null, retryAt: null, named };
    if (a.kind === 'complete') {
      change.confirmed = null;
      change.completed = value as Order;
    } else if (a.kind === 'park' || a.kind === 'clear') {
      change.confirmed = null;
    } else {
      const order = value as Order;
      change.confirmed = order;
      change.completed = null;
      const line = order.lines.at(-1);
      if ((a.kind === 'scan' || a.kind === 'add') && line) named.set(head.lineId, line.id);
      // A screen may still hold a line's pending id for a moment after it was named; not for a day.
      for (const old of named.keys()) {
        if (named.size <= maxNamed) break;
        named.delete(old);
      }
    }
    attempt = 0;
    set(change);
    settle(head.seq, { kind: 'saved' });
  }

  function refuse(head: PendingAction, error: ApiError | null): void {
    set({ pending: without(head.seq) });
    if (error) {
      options.onRefused?.(error, head.action);
      settle(head.seq, { kind: 'refused', error });
    } else {
      settle(head.seq, { kind: 'saved' });
    }
  }

  function wait(error: ApiError): void {
    unsure = true;
    const ms = delay(attempt++);
    set({ fault: error, retryAt: Date.now() + ms });
    // Everyone queued now knows their action is kept, not lost.
    for (const p of state.pending) settle(p.seq, { kind: 'waiting' });
    timer = setTimeout(() => {
      timer = null;
      void drain();
    }, ms);
  }

  /** After an unsure failure: did `head` land? Its answer if so; an error if the store cannot even be read. */
  async function landed(head: PendingAction): Promise<{ landed: true; value: unknown } | { landed: false } | ApiError> {
    const no = { landed: false } as const;
    const current = await call('sale.current', {});
    if (!current.ok) return current.error;
    const before = state.confirmed;
    const kind = head.action.kind;
    if (kind === 'complete') {
      if (!before || current.value?.id === before.id) return no;
      const sale = await call('sale.order', { id: before.id });
      if (!sale.ok) return sale.error.code === 'not_found' ? no : sale.error;
      return sale.value.state === 'open' ? no : { landed: true, value: sale.value };
    }
    if (kind === 'park' || kind === 'clear') return before && current.value === null ? { landed: true, value: null } : no;
    return sameSale(current.value, before) ? no : { landed: true, value: current.value };
  }

  async function drain(): Promise<void> {
    if (running || timer || state.manager) return;
    running = true;
    try {
      for (let head = state.pending[0]; head && !state.manager; head = state.pending[0]) {
        if (unsure) {
          const found = await landed(head);
          if ('code' in found) {
            wait(found);
            return;
          }
          unsure = false;
          if (found.landed) {
            commit(head, found.value);
            continue;
          }
        }
        const request = requestOf(head, state.named);
        if (!request) {
          refuse(head, null);
          continue;
        }
        // The head stays put while it is on its way (withdraw() leaves it to the store's answer).
        const result = await call(request.name, request.input as never);
        if (result.ok) {
          commit(head, result.value);
          continue;
        }
        const outcome = outcomeOf(result.error);
        if (outcome === 'retry') {
          wait(result.error);
          return;
        }
        if (outcome === 'manager') {
          set({ manager: { permission: String(result.error.params?.permission), seq: head.seq }, fault: null, retryAt: null });
          settle(head.seq, { kind: 'manager' });
          return;
        }
        refuse(head, result.error);
      }
      if (state.fault) set({ fault: null, retryAt: null });
    } finally {
      running = false;
    }
  }

  return {
    state: () => state,
    push(action) {
      const n = ++seq;
      const lineId = pendingLineId(n);
      const outcome = new Promise<PushOutcome>((resolve) => waiters.set(n, resolve));
      set({ pending: [...state.pending, { seq: n, action, lineId }] });
      if (state.fault) settle(n, { kind: 'waiting' });
      later(() => void drain());
      return { seq: n, lineId, outcome };
    },
    revise(n, change) {
      set({ pending: state.pending.map((p) => (p.seq === n ? { ...p, action: change(p.action) } : p)) });
    },
    withdraw(n, error) {
      // The head may be on its way to the store: the store's answer settles it instead.
      const i = state.pending.findIndex((p) => p.seq === n);
      if (i < 0 || (i === 0 && running)) return false;
      const p = state.pending[i];
      if (!p) return false;
      refuse(p, error);
      return true;
    },
    loaded(order) {
      if (state.pending.length === 0 && !running) set({ confirmed: order });
    },
    retryNow() {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      void drain();
    },
    approve(override) {
      const waiting = state.manager;
      if (!waiting) return;
      const pending = state.pending.map((p) =>
        p.seq === waiting.seq && (p.action.kind === 'updateLine' || p.action.kind === 'orderDiscount')
          ? { ...p, action: { ...p.action, override } }
          : p,
      );
      set({ pending, manager: null });
      void drain();
    },
    cancelOverride() {
      const waiting = state.manager;
      if (!waiting) return;
      const pending = without(waiting.seq);
      set({ pending, manager: null });
      void drain();
    },
    showCompleted(order) {
      set({ completed: order });
    },
    idle() {
      if (state.pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => idlers.push(resolve));
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
