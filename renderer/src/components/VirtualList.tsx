import { type Key, type ReactNode, type UIEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface VirtualListProps {
  /** Rows known so far (the list grows as pages arrive). */
  count: number;
  /** Every row is this tall, in CSS pixels: what makes a windowed list cheap. */
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  rowKey?: (index: number) => Key;
  /** Accessible name of the list. */
  label: string;
  /** Rows rendered beyond each edge of the window, so fast scrolling shows no gaps. */
  overscan?: number;
  /** Called when the window comes within `overscan` rows of the end: load the next page. */
  onNearEnd?: () => void;
  /** Where to start (a list shown again after a detail view keeps its place); read once. */
  initialScrollTop?: number;
  onScrollTopChange?: (top: number) => void;
  className?: string;
}

/** List markup without the browser's bullets and indents; rows are placed absolutely. */
const listStyle = { position: 'relative', margin: 0, padding: 0, listStyle: 'none' } as const;

/**
 * A windowed list: only the rows in view (plus a few) are in the DOM, at fixed height, so
 * 200,000 orders or 100,000 products scroll like 20. The outer box scrolls and must get its
 * height from CSS (flex: 1 with min-height: 0, or a fixed height). Positions are set through
 * the style object (CSSOM), which the app's strict CSP allows. Each row says its place in
 * the whole list (aria-posinset/setsize), since most rows are not in the DOM.
 */
export function VirtualList({
  count,
  rowHeight,
  renderRow,
  rowKey = (i) => i,
  label,
  overscan = 8,
  onNearEnd,
  initialScrollTop = 0,
  onScrollTopChange,
  className,
}: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const startAt = useRef(initialScrollTop);
  const [scrollTop, setScrollTop] = useState(initialScrollTop);
  const [height, setHeight] = useState(0);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    element.scrollTop = startAt.current;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (onNearEnd && height > 0 && last >= count - overscan) onNearEnd();
  }, [onNearEnd, last, count, overscan, height]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const top = event.currentTarget.scrollTop;
    setScrollTop(top);
    onScrollTopChange?.(top);
  };

  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <li
        key={rowKey(index)}
        aria-posinset={index + 1}
        aria-setsize={count}
        className="vlist-row"
        style={{ position: 'absolute', top: index * rowHeight, left: 0, right: 0, height: rowHeight }}
      >
        {renderRow(index)}
      </li>,
    );
  }
  return (
    <div ref={box} className={className ? `vlist ${className}` : 'vlist'} style={{ overflowY: 'auto' }} onScroll={onScroll}>
      <ul aria-label={label} style={{ ...listStyle, height: count * rowHeight }}>
        {rows}
      </ul>
    </div>
  );
}
