'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';

/** Re-reads the page's hub data on the server (no full reload; scroll and focus stay put). */
export function RefreshButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button type="button" className="button button--quiet" onClick={() => startTransition(() => router.refresh())} aria-disabled={pending}>
      {pending ? 'Refreshing…' : 'Refresh'}
    </button>
  );
}
