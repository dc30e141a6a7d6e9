import { describe, expect, it } from 'vitest';
import { formatElapsed, portalEventMessage } from './run-demo.ts';

describe('portal progress messages', () => {
  const show = (file: string) => file.replace('/repo/', '');

  it('says why the portal is built, where its log is, and how long it took', () => {
    expect(portalEventMessage({ kind: 'build-started', reason: 'no build yet', logFile: '/repo/logs/portal-build.log', startedAt: 0 }, show)).toBe(
      'Building the portal (next build: no build yet); it takes a few minutes, while the study runs. Log: logs/portal-build.log',
    );
    expect(portalEventMessage({ kind: 'build-finished', ms: 200_000 }, show)).toBe('Portal built in 3 min 20 s.');
    expect(portalEventMessage({ kind: 'build-skipped', reason: 'the last build is up to date' }, show)).toBe(
      'Starting the portal (the last build is up to date; --rebuild-portal rebuilds it).',
    );
    expect(portalEventMessage({ kind: 'port-taken', wanted: 3000, port: 41_234 }, show)).toBe('Port 3000 is taken: the portal uses port 41234 instead.');
  });

  it('ticks in whole seconds', () => {
    expect(formatElapsed(999)).toBe('0 s');
    expect(formatElapsed(59_999)).toBe('59 s');
    expect(formatElapsed(65_400)).toBe('1 min 05 s');
  });
});
