import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';

describe('uuidv7', () => {
  it('has the RFC 9562 layout, carries the time and sorts by it', () => {
    const at = Date.parse('2026-11-21T10:00:00.123Z');
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    const later = uuidv7(at + 1);
    expect(later > id).toBe(true);
  });

  it('does not repeat across many ids in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => uuidv7(1_800_000_000_000)));
    expect(ids.size).toBe(20_000);
  });
});
