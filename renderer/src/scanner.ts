/**
 * A keyboard-wedge scanner types a code as a burst of keystrokes and presses Enter. People
 * type far slower, so timing tells the two apart: characters less than `maxGapMs` apart,
 * at least `minLength` of them, ended by Enter, are a scan — wherever focus is.
 */
export interface ScanDetectorOptions {
  maxGapMs?: number;
  minLength?: number;
}

export interface KeyInput {
  key: string;
  /** Milliseconds, e.g. KeyboardEvent.timeStamp. */
  time: number;
}

export type KeyVerdict = { kind: 'pass' } | { kind: 'scan'; code: string };

export function createScanDetector(options: ScanDetectorOptions = {}) {
  const maxGap = options.maxGapMs ?? 40;
  const minLength = options.minLength ?? 4;
  let buffer = '';
  let last = Number.NEGATIVE_INFINITY;
  return {
    key({ key, time }: KeyInput): KeyVerdict {
      const fast = time - last <= maxGap;
      last = time;
      if (key === 'Enter') {
        const code = buffer;
        buffer = '';
        return fast && code.length >= minLength ? { kind: 'scan', code } : { kind: 'pass' };
      }
      if (key.length !== 1) {
        buffer = '';
        return { kind: 'pass' };
      }
      buffer = fast ? buffer + key : key;
      return { kind: 'pass' };
    },
  };
}

/** Takes a scanned code back out of the text box it was typed into (React-controlled inputs too). */
export function removeScannedText(element: Element | null, code: string): void {
  if (!(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement)) return;
  if (!element.value.endsWith(code)) return;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')?.set;
  setter?.call(element, element.value.slice(0, -code.length));
  element.dispatchEvent(new Event('input', { bubbles: true }));
}
