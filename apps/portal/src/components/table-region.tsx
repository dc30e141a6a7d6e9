import type { ReactNode } from 'react';

/**
 * A horizontally scrollable box for a wide table on narrow screens. Focusable and labelled by the
 * table's caption, so keyboard users can scroll it and screen readers announce what it holds.
 */
export function TableRegion({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    <div className="table-region" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </div>
  );
}
