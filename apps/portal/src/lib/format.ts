/**
 * Display formatting, shared by every page. Pure functions (no locale or clock read implicitly),
 * so server rendering is deterministic and testable. Times are shown in UTC: a consortium spans
 * sites in several time zones, and the hub's logs and audit trail use UTC too.
 */

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** "25 Nov 2025, 15:53 UTC", or the fallback for a missing date. */
export function formatDateTime(iso: string | null, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? fallback : `${dateTime.format(date)} UTC`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
const relative = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto' });

/** "5 minutes ago", "just now"; `now` is passed in (the request's time). */
export function formatRelative(iso: string, now: number): string {
  const diff = new Date(iso).getTime() - now;
  if (Number.isNaN(diff)) return '—';
  if (Math.abs(diff) < 60_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'minute') return relative.format(Math.round(diff / ms), unit);
  }
  return '—';
}

export function formatInteger(n: number | null): string {
  return n === null ? '—' : integer.format(n);
}

/** 0.8734 → "87.3 %". */
export function formatPercent(fraction: number | null, digits = 1): string {
  return fraction === null || Number.isNaN(fraction) ? '—' : `${(fraction * 100).toFixed(digits)} %`;
}

export function formatDecimal(n: number | null, digits = 3): string {
  return n === null || Number.isNaN(n) ? '—' : n.toFixed(digits);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The study's secure-aggregation scheme in words. */
export function encryptionLabel(scheme: string): string {
  switch (scheme) {
    case 'ckks-multiparty':
      return 'CKKS, multiparty key';
    case 'none':
      return 'None (plaintext updates)';
    default:
      return scheme;
  }
}

/** A long hex hash shortened for tables; the full value goes in a title/tooltip. */
export function shortHash(hash: string, length = 12): string {
  return hash.length > length ? `${hash.slice(0, length)}…` : hash;
}

/** "keygen" → "Keygen" etc.; statuses are single lowercase words from the hub. */
export function statusLabel(status: string): string {
  const labels: Record<string, string> = { keygen: 'Key generation', enrolling: 'Enrolling' };
  return labels[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}
