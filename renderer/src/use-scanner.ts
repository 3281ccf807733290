import { useEffect, useRef } from 'react';
import { createScanDetector, removeScannedText } from './scanner.ts';

/** Listens for scans anywhere on the page while mounted; the latest `onScan` is always used. */
export function useScanner(onScan: (code: string) => void, enabled = true): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => {
    if (!enabled) return;
    const detector = createScanDetector();
    const listen = (event: KeyboardEvent) => {
      const verdict = detector.key({ key: event.key, time: event.timeStamp });
      if (verdict.kind === 'scan') {
        event.preventDefault();
        event.stopPropagation();
        removeScannedText(document.activeElement, verdict.code);
        handler.current(verdict.code);
      }
    };
    window.addEventListener('keydown', listen, true);
    return () => window.removeEventListener('keydown', listen, true);
  }, [enabled]);
}
