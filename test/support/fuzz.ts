/**
 * Fuzzing support (issue 8): adversarial values, inputs shaped by an operation's own zod
 * schema with adversarial leaves mixed in, the seed and run count of a run, and a tally
 * of what the run did. Values are built for both transports: `ipc` values may hold what
 * Electron's structured clone carries (BigInt, Date, Map, NaN...), the rest must be JSON.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { seededRandom } from '../../shared/random.ts';

// ------------------------------------------------------------------ seed and run count

export interface FuzzRun {
  seed: number;
  /** Inputs per property; TILLDESK_FUZZ_RUNS raises it. */
  runs: number;
  /** A fresh seed for the nth property of the file, derived from the run's seed. */
  seedFor(n: number): number;
}

/** The run's seed (TILLDESK_FUZZ_SEED replays one) and run count, printed so a failure can be replayed. */
export function fuzzRun(file: string, defaultRuns: number): FuzzRun {
  const seed = Number(process.env.TILLDESK_FUZZ_SEED) || (Date.now() ^ (process.pid << 10)) >>> 1;
  const asked = Number(process.env.TILLDESK_FUZZ_RUNS);
  const runs = Number.isInteger(asked) && asked > 0 ? asked : defaultRuns;
  console.log(`[fuzz] ${file}: seed ${seed}, ${runs} runs per property (replay: TILLDESK_FUZZ_SEED=${seed})`);
  return { seed, runs, seedFor: (n) => (seed + Math.imul(n + 1, 0x9e3779b1)) >>> 1 };
}

/** Draws `runs` values of an arbitrary, reproducibly. */
export function draw<T>(arbitrary: fc.Arbitrary<T>, runs: number, seed: number): T[] {
  return fc.sample(arbitrary, { numRuns: runs, seed });
}

// ------------------------------------------------------------------ adversarial values

export const sqlFragments = [
  "'; DROP TABLE product; --",
  "' OR '1'='1",
  '"; DELETE FROM staff; --',
  "1; UPDATE staff SET role = 'owner'",
  "') UNION SELECT name, sql FROM sqlite_schema --",
  "%' --",
  "\\'; --",
  '%',
  '_',
  '*',
  'NULL',
  '$1',
  '?',
  ':name',
  '@p',
  "x' || (SELECT pin_hash FROM staff LIMIT 1) || '",
];

/** FTS5 query syntax a search box must not pass through raw. */
export const ftsFragments = [
  '"',
  '"milk',
  'milk*',
  '^milk',
  'NEAR(a b)',
  'a OR b',
  'a AND',
  'NOT',
  '-milk',
  'sku:x',
  '{sku name}: x',
  '(',
  ')',
];

export const unicodeNasties = [
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udc00\ud800',
  '\u202eevil.exe',
  'مرحبا بالعالم',
  'שלום',
  '\u200b',
  'a\u200db',
  '\ufeff',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\r\n',
  'line1\nline2',
  '\u2028\u2029',
  'e\u0301',
  '👍🏽',
  '𝕏𝕐',
  '\uffff',
  '\ufffe',
  'İıß',
  '１２３４',
  '٣٤٥',
  '\u00a0',
  ' ',
  '\t',
  '',
];

export const protoKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

export const otherNasties = [
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\System32',
  '\\\\server\\share',
  'file:///etc/passwd',
  'NUL',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '$\u007b7*7}',
  '%s%s%n',
  '1e400',
  'NaN',
  '-0',
  '0x10',
  '9007199254740993',
  'Infinity',
  'x'.repeat(65),
  'x'.repeat(257),
  'x'.repeat(10_001),
  ...protoKeys,
];

/** Over a megabyte each: one ASCII, one of four-byte characters. */
export const hugeStrings = ['x'.repeat(1_100_000), '💥'.repeat(300_000)];

export const nastyStrings = [...sqlFragments, ...ftsFragments, ...unicodeNasties, ...otherNasties];

export const nastyNumbers = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  2 ** 53 + 1,
  -(2 ** 53 + 1),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e308,
  -1e308,
  1e21,
  0.1,
  1.5,
  -1,
  2 ** 31,
  2 ** 32,
  2 ** 63,
  Number.EPSILON,
];

/** JSON numbers whose text a parser must survive: they parse to Infinity, -0 or lose precision. */
export const nastyNumberTexts = [
  '1e400',
  '-1e400',
  '-0',
  '9007199254740993',
  '1e-400',
  '123456789012345678901234567890',
  '0.1e1',
];

/** JSON text of the deep values below: JSON.stringify runs out of stack on them inside a test worker. */
const deepTexts = new WeakMap<object, string>();

/** `{a: {a: … }}` `depth` levels down. */
export function deepObject(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  deepTexts.set(value as object, `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`);
  return value;
}

export function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  deepTexts.set(value as object, `${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`);
  return value;
}

/** A value as a JSON request body would carry it; what JSON cannot say (a BigInt) becomes plain text. */
export function toJsonText(value: unknown): string {
  const marks: string[] = [];
  try {
    const text =
      JSON.stringify(value, (_key, v: unknown) => {
        const deep = typeof v === 'object' && v !== null ? deepTexts.get(v) : undefined;
        if (deep === undefined) return v;
        marks.push(deep);
        return `\u0000deep${marks.length - 1}`;
      }) ?? '';
    return text.replace(/"\\u0000deep(\d+)"/g, (_m, n: string) => marks[Number(n)] ?? 'null');
  } catch {
    return String(typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value));
  }
}

/** Objects aimed at whoever reads them: prototype pollution as own keys (the way JSON.parse makes them), odd lengths. */
export const pollutionTexts = [
  '{"__proto__": {"polluted": "yes", "role": "owner"}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"prototype": {"polluted": "yes"}}',
  '{"__proto__": null}',
  '{"__proto__": [1, 2, 3]}',
  '{"toString": "not a function", "valueOf": 1}',
  '{"hasOwnProperty": null}',
  // Where a string or list is expected: a length that cannot be compared with a number.
  '{"length": {"toString": "x", "valueOf": "y"}}',
  '{"length": 1e400, "0": "a"}',
];

const nastyCache = new Map<boolean, unknown[]>();

/** Values of every awkward kind, for whole inputs and for fields (made once: some are large). */
export function nastyValues(ipc: boolean): unknown[] {
  const cached = nastyCache.get(ipc);
  if (cached) return cached;
  const values: unknown[] = [
    null,
    true,
    false,
    0,
    '',
    [],
    {},
    [null],
    [[]],
    { '': '' },
    deepObject(10_000),
    deepArray(10_000),
    Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
    Array.from({ length: 100_000 }, (_, i) => i),
    ...hugeStrings,
    ...pollutionTexts.map((text) => JSON.parse(text) as unknown),
  ];
  if (ipc) {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    values.push(
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      2n ** 64n,
      new Date(Number.NaN),
      new Date(0),
      new Map([['a', 1]]),
      new Set([1]),
      new Uint8Array([0, 255]),
      bare,
    );
  }
  nastyCache.set(ipc, values);
  return values;
}

export const nastyString = fc.constantFrom(...nastyStrings);
export const nastyNumber = fc.constantFrom(...nastyNumbers);
export const nastyKey = fc.constantFrom(...protoKeys, '', ' ', '\u0000', 'a.b', '0', '-1', 'length', 'then');

/** Anything: generated structures with adversarial leaves and keys, plus the fixed nasty values. */
export function anything(ipc: boolean): fc.Arbitrary<unknown> {
  const leaves: fc.Arbitrary<unknown>[] = [
    nastyString,
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ];
  if (ipc) leaves.push(nastyNumber);
  const generated = fc.anything({
    maxDepth: 3,
    maxKeys: 6,
    key: fc.oneof(nastyKey, fc.string({ maxLength: 8 })),
    values: leaves,
    withNullPrototype: true,
    withBigInt: ipc,
    withDate: ipc,
    withMap: ipc,
    withSet: ipc,
    withTypedArray: ipc,
    withBoxedValues: ipc,
    withSparseArray: ipc,
    withUnicodeString: true,
  });
  return fc.oneof({ weight: 4, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...nastyValues(ipc)) });
}

/** Sets a key as an own, enumerable property, even `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ------------------------------------------------------------------ inputs from a zod schema

interface Def {
  type: string;
  [key: string]: unknown;
}
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

export interface SchemaFuzzOptions {
  ipc: boolean;
  /** Real values for a field name (ids from the store, a fixture's PINs): handlers then get past "not found". */
  known?: (field: string) => readonly unknown[] | undefined;
  /** Fields whose values the test fixes, e.g. so a call never reaches the internet or a disk outside the test. */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
}

/** Fits a string to a length range, cutting wherever it falls (a surrogate pair cut in half is a fine test). */
function fitLength(text: string, min: number, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  return cut.length < min ? cut.padEnd(min, 'x') : cut;
}

interface StringBounds {
  min: number;
  max: number;
  patterns: RegExp[];
}

function stringBounds(def: Def): StringBounds {
  const bounds: StringBounds = { min: 0, max: 200, patterns: [] };
  for (const check of (def.checks as unknown[] | undefined) ?? []) {
    const c = defOf(check) as unknown as { check: string; minimum?: number; maximum?: number; format?: string; pattern?: RegExp };
    if (c.check === 'min_length' && c.minimum !== undefined) bounds.min = Math.max(bounds.min, c.minimum);
    if (c.check === 'max_length' && c.maximum !== undefined) bounds.max = Math.min(bounds.max, c.maximum);
    if (c.check === 'string_format' && c.pattern) bounds.patterns.push(c.pattern);
  }
  return bounds;
}

function validString(def: Def, bounds: StringBounds): fc.Arbitrary<string> {
  if (def.format === 'datetime') {
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (def.format === 'email') return fc.emailAddress();
  if (def.format === 'uuid') return fc.uuid();
  const pattern = bounds.patterns[0];
  const upTo = Math.min(bounds.max, 40);
  if (pattern) {
    try {
      return fc.stringMatching(pattern).map((s) => (s.length > bounds.max ? s.slice(0, bounds.max) : s));
    } catch {
      // a pattern fast-check cannot read: plain strings, most of them refused
    }
  }
  return fc.string({ minLength: Math.min(bounds.min, upTo), maxLength: Math.max(upTo, bounds.min), unit: 'grapheme' });
}

function numberBounds(def: Def): { min: number; max: number; int: boolean } {
  const bounds = { min: -1e12, max: 1e12, int: false };
  for (const check of (def.checks as unknown[] | undefined) ?? []) {
    const c = defOf(check) as unknown as { check: string; value?: number; inclusive?: boolean; format?: string };
    if (c.check === 'greater_than' && c.value !== undefined) bounds.min = c.inclusive ? c.value : c.value + 1;
    if (c.check === 'less_than' && c.value !== undefined) bounds.max = c.inclusive ? c.value : c.value - 1;
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32')) bounds.int = true;
  }
  bounds.min = Math.max(bounds.min, Number.MIN_SAFE_INTEGER);
  bounds.max = Math.min(bounds.max, Number.MAX_SAFE_INTEGER);
  return bounds;
}

/**
 * Inputs shaped like a schema accepts them, with a field now and then replaced by an
 * adversarial value (still within the length bounds, so the handler sees it), a wrong
 * type, an extra or missing key. Many pass validation; handlers must cope with all of them.
 */
export function schemaInputs(schema: z.ZodType, options: SchemaFuzzOptions): fc.Arbitrary<unknown> {
  const wrong = anything(options.ipc);
  const leafNumbers = options.ipc ? nastyNumber : fc.constantFrom(...nastyNumbers.filter(Number.isFinite));

  const fromKnown = (field: string | undefined, fallback: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.tuple(fc.nat(), fallback).map(([i, other]) => {
      const list = field ? options.known?.(field) : undefined;
      return list && list.length > 0 ? list[i % list.length] : other;
    });

  const build = (s: unknown, field: string | undefined): fc.Arbitrary<unknown> => {
    const override = field ? options.overrides?.[field] : undefined;
    if (override) return override;
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        const keys = Object.keys(shape);
        const required = keys.filter((k) => !['optional', 'default', 'prefault'].includes(defOf(shape[k]).type));
        const record = fc.record(Object.fromEntries(keys.map((k) => [k, build(shape[k], k)])), { requiredKeys: required });
        const mutated = fc
          .tuple(record, fc.constantFrom('extra', 'drop', 'retype'), fc.oneof(nastyKey, fc.string({ maxLength: 8 })), wrong)
          .map(([value, how, key, odd]) => {
            const copy = { ...(value as Record<string, unknown>) };
            const present = Object.keys(copy);
            if (how === 'extra' || present.length === 0) setOwn(copy, key, odd);
            else if (how === 'drop') delete copy[present[key.length % present.length] ?? ''];
            else copy[present[key.length % present.length] ?? ''] = odd;
            return copy;
          });
        return fc.oneof({ weight: 10, arbitrary: record }, { weight: 1, arbitrary: mutated });
      }
      case 'optional':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'nonoptional':
        return build(def.innerType, field);
      case 'nullable':
        return fc.oneof({ weight: 4, arbitrary: build(def.innerType, field) }, { weight: 1, arbitrary: fc.constant(null) });
      case 'pipe':
        // The output side carries the real rules unless it is a bare transform.
        return defOf(def.out).type === 'transform' ? build(def.in, field) : build(def.out, field);
      case 'string': {
        const bounds = stringBounds(def);
        return fc.oneof(
          { weight: 6, arbitrary: validString(def, bounds) },
          { weight: 4, arbitrary: fromKnown(field, validString(def, bounds)) },
          { weight: 2, arbitrary: nastyString.map((t) => fitLength(t, bounds.min, bounds.max)) },
          { weight: 1, arbitrary: wrong },
        );
      }
      case 'number': {
        const { min, max, int } = numberBounds(def);
        const valid = int ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
        return fc.oneof(
          { weight: 6, arbitrary: valid },
          { weight: 3, arbitrary: fc.constantFrom(min, max, Math.max(min, Math.min(max, 1000))) },
          { weight: 2, arbitrary: fromKnown(field, valid) },
          { weight: 1, arbitrary: fc.oneof(leafNumbers, fc.constantFrom(min - 1, max + 1, min + 0.5)) },
          { weight: 1, arbitrary: wrong },
        );
      }
      case 'boolean':
        return fc.oneof({ weight: 8, arbitrary: fc.boolean() }, { weight: 1, arbitrary: wrong });
      case 'enum':
        return fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...Object.values(def.entries as Record<string, string | number>)) },
          { weight: 1, arbitrary: fc.oneof(nastyString, wrong) },
        );
      case 'literal':
        return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...(def.values as unknown[])) }, { weight: 1, arbitrary: wrong });
      case 'array': {
        const bounds = { min: 0, max: 6 };
        for (const check of (def.checks as unknown[] | undefined) ?? []) {
          const c = defOf(check) as unknown as { check: string; minimum?: number; maximum?: number };
          if (c.check === 'min_length' && c.minimum !== undefined) bounds.min = c.minimum;
          if (c.check === 'max_length' && c.maximum !== undefined) bounds.max = Math.min(c.maximum, Math.max(6, bounds.min));
        }
        const items = fc.array(build(def.element, field), { minLength: bounds.min, maxLength: Math.max(bounds.min, bounds.max) });
        return fc.oneof({ weight: 8, arbitrary: items }, { weight: 1, arbitrary: wrong });
      }
      case 'union':
        return fc.oneof(...(def.options as unknown[]).map((option) => build(option, field)));
      case 'unknown':
      case 'any':
        return wrong;
      default:
        // A new kind of schema in the contract: teach this generator rather than fuzz it blind.
        throw new Error(`schemaInputs: no generator for zod type "${def.type}" (field ${field ?? '(input)'})`);
    }
  };
  return build(schema, undefined);
}

/** Inputs with no regard for the schema but its field names: wrong types, pollution, huge and deep values. */
export function adversarialInputs(schema: z.ZodType, ipc: boolean): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const keys = def.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
  const any = anything(ipc);
  const sameKeys =
    keys.length > 0
      ? fc
          .tuple(fc.subarray(keys, { minLength: 1 }), fc.array(any, { minLength: keys.length, maxLength: keys.length }))
          .map(([chosen, values]) => Object.fromEntries(chosen.map((k, i) => [k, values[i]])))
      : fc.constant({});
  const polluted = fc
    .tuple(sameKeys, fc.constantFrom(...pollutionTexts))
    .map(([value, text]) => ({ ...(value as object), ...(JSON.parse(text) as object) }));
  return fc.oneof(
    { weight: 3, arbitrary: any },
    { weight: 3, arbitrary: sameKeys },
    { weight: 1, arbitrary: polluted },
    { weight: 1, arbitrary: fc.constantFrom(...nastyValues(ipc)) },
  );
}

/**
 * Copies of a well-formed example (a push batch as a till makes it) with leaves swapped for
 * adversarial ones of a similar kind, and now and then a key added, dropped or an array
 * item repeated: deep inside shapes that a schema generator cannot reach.
 */
export function mutatedCopies(example: unknown, ipc: boolean, rate = 0.15): fc.Arbitrary<unknown> {
  const numbers = ipc ? nastyNumbers : nastyNumbers.filter(Number.isFinite);
  const others = nastyValues(ipc).filter((v) => typeof v !== 'string' || v.length < 1000);
  return fc.integer().map((seed) => {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const swap = (value: unknown): unknown => {
      if (Array.isArray(value)) {
        const items = value.map(swap);
        if (items.length > 0 && random() < rate / 3) items.push(items[0]);
        return random() < rate / 4 ? pick(others) : items;
      }
      if (typeof value === 'object' && value !== null) {
        const copy: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) if (random() >= rate / 4) copy[key] = swap(item);
        if (random() < rate / 3) setOwn(copy, pick(protoKeys), pick(others));
        return copy;
      }
      if (random() >= rate) return value;
      if (typeof value === 'string') return random() < 0.8 ? pick(nastyStrings) : pick(others);
      if (typeof value === 'number') return random() < 0.8 ? pick([...numbers, value + 1, -value, value * 1000]) : pick(others);
      return pick(others);
    };
    return swap(example);
  });
}

// ------------------------------------------------------------------ describing and counting

/** A short, printable picture of any value (huge, deep or circular ones included). */
export function preview(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : toJsonText(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** One broken rule: where (transport or route, and operation), what, and the input that did it. */
export interface Problem {
  where: string;
  what: string;
  text: string;
}

/** Calls, refusals and acceptances per transport, and every broken rule with its input. */
export class Tally {
  readonly counts = new Map<string, { calls: number; refused: number; accepted: number }>();
  readonly problems: Problem[] = [];

  count(transport: string, ok: boolean): void {
    const entry = this.counts.get(transport) ?? { calls: 0, refused: 0, accepted: 0 };
    entry.calls++;
    if (ok) entry.accepted++;
    else entry.refused++;
    this.counts.set(transport, entry);
  }

  problem(where: string, what: string, input?: unknown, detail?: string): void {
    const text = `${where}${input === undefined ? '' : ` <- ${preview(input)}`}: ${what}${detail ? ` (${detail})` : ''}`;
    if (this.problems.length < 2000) this.problems.push({ where, what, text });
  }

  /** The problems from index `from` on, one line per kind (where and what) with a count and the first input. */
  summary(from = 0): string[] {
    const kinds = new Map<string, { n: number; first: string }>();
    for (const p of this.problems.slice(from)) {
      const key = `${p.where}: ${p.what}`;
      const kind = kinds.get(key);
      if (kind) kind.n++;
      else kinds.set(key, { n: 1, first: p.text });
    }
    return [...kinds.values()].map((k) => `${k.n} × ${k.first}`);
  }

  print(title: string): void {
    const lines = [...this.counts].map(
      ([transport, c]) =>
        `  ${transport.padEnd(32)} ${String(c.calls).padStart(6)} calls: ${c.refused} refused, ${c.accepted} accepted`,
    );
    const total = [...this.counts.values()].reduce((n, c) => n + c.calls, 0);
    console.log(`[fuzz] ${title}: ${total} calls, ${this.problems.length} problems\n${lines.join('\n')}`);
    for (const line of this.summary()) console.log(`  PROBLEM ${line}`);
  }
}

/** Object.prototype as it was: a polluted one shows up as a changed key list or an inherited value. */
export function prototypeSnapshot(): string {
  const probe = {} as Record<string, unknown>;
  return JSON.stringify([
    Object.getOwnPropertyNames(Object.prototype).sort(),
    Object.getOwnPropertySymbols(Object.prototype).length,
    probe.polluted,
    probe.role,
    Object.getPrototypeOf(Object.prototype),
  ]);
}
