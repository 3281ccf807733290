import type { z } from 'zod';
import type { InputIssue } from './errors.ts';

/** Who may call an operation; checked by the dispatcher before the handler runs. */
export type Access = 'anyone' | 'staff' | 'manager' | 'owner';

export interface Operation<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  access: Access;
  /** Phantom: carries the output type; never read at run time. */
  output?: O;
}

/** One row of the contract. `O` is given, `I` is inferred from the schema. */
export function operation<O>() {
  return <I extends z.ZodType>(input: I, access: Access = 'anyone'): Operation<I, O> => ({ input, access });
}

export type Parsed<T> = { success: true; data: T } | { success: false; issues: InputIssue[] };

/**
 * `schema.safeParse` that never throws. Zod itself throws on some hostile values: a length
 * check compares an object's `length` with its bound, and `{"length": {"toString": "x"}}`
 * cannot be compared. Such a value is the caller's bad input like any other, so every edge
 * (the till's contract, the sync server's routes and op payloads) parses through this.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): Parsed<z.output<S>> {
  if (nestedDeeperThan(value, maxInputDepth)) {
    return { success: false, issues: [{ path: '', message: `Nested more than ${maxInputDepth} levels deep` }] };
  }
  let result: ReturnType<S['safeParse']>;
  try {
    result = schema.safeParse(value) as ReturnType<S['safeParse']>;
  } catch {
    return { success: false, issues: [{ path: '', message: 'Could not be read' }] };
  }
  if (result.success) return { success: true, data: result.data as z.output<S> };
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  };
}

/**
 * No input of the contract or the sync protocol nests anywhere near this deep. Deeper values
 * (a 10,000-level object parses fine) are refused at the edge, because whatever handles
 * them next (JSON.stringify storing a rejected op, a recursive copy) can run out of stack.
 */
export const maxInputDepth = 64;

/** Whether objects and arrays nest deeper than `limit` (iterative: no stack of its own to run out of). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
