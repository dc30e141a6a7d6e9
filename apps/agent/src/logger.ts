import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs: always to the agent's log file; to stderr too unless a human is watching
 * progress bars there. Secrets (keys, tokens) are never passed to the logger; `redact` is a net.
 */
export function createLogger(options: { level: string; logFile: string; toStderr: boolean }): Logger {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: options.logFile, mkdir: true, sync: true }) }];
  if (options.toStderr) streams.push({ stream: pino.destination(2) });
  return pino(
    { name: 'consilium-agent', level: options.level, redact: { paths: ['token', '*.token', 'privateKeyPem', '*.privateKeyPem', 'secret'], censor: '[redacted]' } },
    pino.multistream(streams),
  );
}
