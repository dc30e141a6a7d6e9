import { formatDateTime, formatRelative } from '../lib/format.ts';

/** An absolute UTC date and time, machine-readable through `dateTime`. */
export function DateTime({ iso, fallback = '—' }: { iso: string | null; fallback?: string }) {
  if (!iso) return <span className="muted">{fallback}</span>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** "5 minutes ago", with the absolute time underneath (visible, not only in a tooltip). */
export function RelativeDateTime({ iso, now, fallback = '—' }: { iso: string | null; now: number; fallback?: string }) {
  if (!iso) return <span className="muted">{fallback}</span>;
  return (
    <>
      <time dateTime={iso}>{formatRelative(iso, now)}</time>
      <span className="sub">{formatDateTime(iso)}</span>
    </>
  );
}
