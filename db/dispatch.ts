import {
  type EventName,
  type Events,
  isOperationName,
  type OperationName,
  type OutputOf,
  operations,
  type ParsedInputOf,
} from '../shared/api.ts';
import { type Access, parseInput } from '../shared/contract.ts';
import { createEmitter, type Emitter } from '../shared/emitter.ts';
import { type ApiError, type InputIssue, type Result, TillError } from '../shared/errors.ts';

export type Handlers = {
  [N in OperationName]: (input: ParsedInputOf<N>) => OutputOf<N> | Promise<OutputOf<N>>;
};

/** The handlers for one domain's rows of the contract, e.g. HandlersFor<typeof catalogOperations>. */
export type HandlersFor<T> = Pick<Handlers, keyof T & OperationName>;

export interface Api {
  /** Looks the name up, validates the input, runs the handler; never throws. */
  call(name: unknown, input: unknown): Promise<Result<unknown>>;
  subscribe<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
  publish<E extends EventName>(name: E, payload: Events[E]): void;
}

export interface ApiOptions {
  /** Checks an operation's `access` (signed in, role) after its input parsed, before its handler; throws TillError. */
  checkAccess?: (access: Access) => void;
  /** Where unexpected errors go (the host's or main process's log). */
  onInternalError?: (name: string, error: unknown) => void;
}

function invalidInput(issues: InputIssue[]): ApiError {
  return {
    code: 'invalid_input',
    reason: 'invalid_input',
    message: issues.map((i) => `${i.path || '(input)'}: ${i.message}`).join('; '),
    issues,
  };
}

export function createApi(handlers: Handlers, events: Emitter<Events> = createEmitter<Events>(), options: ApiOptions = {}): Api {
  return {
    async call(name, input) {
      if (!isOperationName(name)) {
        const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name;
        return {
          ok: false,
          error: {
            code: 'unknown_operation',
            reason: 'unknown_operation',
            message: `Unknown operation: ${shown}`,
            params: { name: shown },
          },
        };
      }
      // The order of DESIGN.md §2: name, input, then who is asking; nothing runs before all three pass.
      const parsed = parseInput(operations[name].input, input);
      if (!parsed.success) return { ok: false, error: invalidInput(parsed.issues) };
      try {
        options.checkAccess?.(operations[name].access);
        const handler = handlers[name] as (input: unknown) => unknown;
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        if (error instanceof TillError) return { ok: false, error: error.toApiError() };
        options.onInternalError?.(name, error);
        return { ok: false, error: { code: 'internal', reason: 'internal', message: `Internal error in ${name}` } };
      }
    },
    subscribe: (name, listener) => events.on(name, listener),
    publish: (name, payload) => events.emit(name, payload),
  };
}
