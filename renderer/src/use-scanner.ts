import { useEffect, useRef } from 'react';
import { flushSync } from 'react-dom';
import { createScanDetector, removeScannedText } from './scanner.ts';

/** Keys this close together are a scanner typing (the detector's own rule, scanner.ts). */
const burstGapMs = 40;

/**
 * Listens for scans anywhere on the page while mounted; the latest `onScan` is always used.
 * The scan is handled inside the Enter keydown and rendered before it returns (flushSync), so
 * whatever it changes is painted in the frame the Enter arrived in. `onTyping` hears the
 * scanner's burst so far, key by key, so the till can look the code up before the Enter.
 */
export function useScanner(onScan: (code: string) => void, enabled = true, onTyping?: (soFar: string) => void): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  const typing = useRef(onTyping);
  typing.current = onTyping;
  // Read at each key, not by re-subscribing: an effect runs after the paint, so a scan right
  // after a dialog closes would otherwise reach no listener and be lost.
  const on = useRef(enabled);
  on.current = enabled;
  useEffect(() => {
    let detector = createScanDetector();
    let burst = '';
    let last = Number.NEGATIVE_INFINITY;
    const listen = (event: KeyboardEvent) => {
      if (!on.current) {
        detector = createScanDetector();
        burst = '';
        last = Number.NEGATIVE_INFINITY;
        return;
      }
      if (event.key.length === 1) {
        burst = event.timeStamp - last <= burstGapMs ? burst + event.key : event.key;
        last = event.timeStamp;
        typing.current?.(burst);
      } else {
        burst = '';
        last = event.timeStamp;
      }
      const verdict = detector.key({ key: event.key, time: event.timeStamp });
      if (verdict.kind === 'scan') {
        event.preventDefault();
        event.stopPropagation();
        removeScannedText(document.activeElement, verdict.code);
        flushSync(() => handler.current(verdict.code));
      }
    };
    window.addEventListener('keydown', listen, true);
    return () => window.removeEventListener('keydown', listen, true);
  }, []);
}
