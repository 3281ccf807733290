import { describe, expect, it } from 'vitest';
import { createScanDetector, type KeyVerdict } from '../../renderer/src/scanner.ts';

/** Feeds keys at the given gaps (ms) and returns the last verdict (the one for Enter). */
function feed(text: string, gapMs: number, start = 1000): KeyVerdict {
  const detector = createScanDetector();
  let time = start;
  let verdict: KeyVerdict = { kind: 'pass' };
  for (const key of [...text, 'Enter']) {
    verdict = detector.key({ key, time });
    time += gapMs;
  }
  return verdict;
}

describe('the keyboard-wedge scan detector', () => {
  it('reads a burst of keystrokes ending in Enter as a scan', () => {
    expect(feed('5012345678900', 8)).toEqual({ kind: 'scan', code: '5012345678900' });
    expect(feed('96385074', 30)).toEqual({ kind: 'scan', code: '96385074' });
  });

  it('leaves a person typing alone, however short or long', () => {
    expect(feed('5012345678900', 120)).toEqual({ kind: 'pass' });
    expect(feed('milk', 90)).toEqual({ kind: 'pass' });
    // Just over the limit between two keys is typing.
    expect(feed('5012345678900', 41)).toEqual({ kind: 'pass' });
  });

  it('needs at least four characters, and starts over after a slow key or a non-character key', () => {
    expect(feed('123', 5)).toEqual({ kind: 'pass' });
    const detector = createScanDetector();
    const keys: [string, number][] = [
      ['o', 0],
      ['a', 200], // a person typed "oa" slowly …
      ['4', 400],
      ['0', 405],
      ['0', 410],
      ['6', 415],
      ['Enter', 420], // … then the scanner sent 4006 and Enter
    ];
    const verdicts = keys.map(([key, time]) => detector.key({ key, time }));
    expect(verdicts.at(-1)).toEqual({ kind: 'scan', code: '4006' });
    const reset = createScanDetector();
    for (const [key, time] of [
      ['1', 0],
      ['2', 5],
      ['Shift', 10],
      ['3', 15],
      ['4', 20],
    ] as const)
      reset.key({ key, time });
    expect(reset.key({ key: 'Enter', time: 25 })).toEqual({ kind: 'pass' });
  });
});
