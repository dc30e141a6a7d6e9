'use client';

import Link from 'next/link';
import { useEffect, useRef } from 'react';

/**
 * What error boundaries show for an unexpected failure. In production Next replaces server error
 * messages with a digest (kept in the server log), so no internals reach the browser.
 */
export function ErrorView({ error, retry, title }: { error: unknown; retry: () => void; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    console.error(error);
    heading.current?.focus();
  }, [error]);
  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <div className="notice notice--error" role="alert">
      <h1 className="notice__title" ref={heading} tabIndex={-1}>
        {title}
      </h1>
      <p>The portal could not render this page. This is usually temporary; try again, and if it persists check the portal&apos;s server log.</p>
      {digest ? (
        <p className="notice__hint">
          Reference: <code>{digest}</code>
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button" onClick={() => retry()}>
          Try again
        </button>
        <Link href="/">Back to the overview</Link>
      </div>
    </div>
  );
}
