import { describe, expect, it } from 'vitest';
import { encryptionLabel, formatBytes, formatDateTime, formatPercent, formatRelative, shortHash, statusLabel } from './format.ts';

describe('format', () => {
  it('shows dates in UTC, with a fallback for missing or invalid ones', () => {
    expect(formatDateTime('2026-11-25T15:53:12.000Z')).toBe('25 Nov 2026, 15:53 UTC');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date', 'n/a')).toBe('n/a');
  });

  it('says how long ago, relative to the time passed in', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(formatRelative('2026-11-25T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-11-25T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-11-25T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2026-11-23T12:00:00Z', now)).toBe('2 days ago');
  });

  it('formats metrics, sizes, hashes and labels', () => {
    expect(formatPercent(0.87345)).toBe('87.3 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`);
    expect(encryptionLabel('ckks-multiparty')).toBe('CKKS, multiparty key');
    expect(encryptionLabel('none')).toBe('None (plaintext updates)');
    expect(statusLabel('keygen')).toBe('Key generation');
    expect(statusLabel('collecting')).toBe('Collecting');
  });
});
