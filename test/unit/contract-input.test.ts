/** parseInput, the one way every edge reads its input: it never throws, and refuses what nests too deep. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maxInputDepth, nestedDeeperThan, parseInput } from '../../shared/contract.ts';

/** `levels` objects (or arrays) inside one another, as JSON.parse would hand them over. */
function nested(levels: number, kind: 'object' | 'array' = 'object'): unknown {
  const open = kind === 'object' ? '{"a":' : '[';
  const close = kind === 'object' ? '}' : ']';
  return JSON.parse(`${open.repeat(levels)}1${close.repeat(levels)}`);
}

describe('nestedDeeperThan', () => {
  it('counts levels of objects and arrays, not scalars', () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan('deep', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan(nested(3), 3)).toBe(false);
    expect(nestedDeeperThan(nested(4), 3)).toBe(true);
    expect(nestedDeeperThan(nested(4, 'array'), 3)).toBe(true);
    expect(nestedDeeperThan({ wide: Array.from({ length: 10_000 }, (_, i) => ({ i })) }, 3)).toBe(false);
  });

  it('walks 100,000 levels without running out of stack', () => {
    expect(nestedDeeperThan(nested(100_000), maxInputDepth)).toBe(true);
  });
});

describe('parseInput', () => {
  const schema = z.object({ payload: z.unknown() });

  it('accepts input nested as deep as the limit', () => {
    // The schema's own object is one level; its payload brings the rest.
    expect(parseInput(schema, { payload: nested(maxInputDepth - 1) }).success).toBe(true);
  });

  it('refuses input nested deeper, with the reason, before the schema sees it', () => {
    const result = parseInput(schema, { payload: nested(10_000) });
    expect(result).toEqual({ success: false, issues: [{ path: '', message: `Nested more than ${maxInputDepth} levels deep` }] });
    // Why: such a value parses, but storing it (JSON.stringify) runs out of stack.
    expect(() => JSON.stringify(nested(10_000))).toThrow(RangeError);
  });

  it('never throws on a value zod cannot read', () => {
    const hostile = { payload: 1, length: { toString: 'x' } };
    expect(parseInput(z.array(z.number()).max(3), hostile).success).toBe(false);
  });
});
