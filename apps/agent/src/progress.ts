import cliProgress from 'cli-progress';
import type { Logger } from 'pino';

/** A long piece of work (training, encryption, decryption) that reports how far it has got. */
export interface ProgressTask {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
}

/**
 * Progress bars on an interactive terminal; on a service (no TTY) a structured log line at most
 * every few seconds, so the journal shows the agent is alive without drowning in lines.
 */
export function createProgress(options: { interactive: boolean; logger: Logger }): Progress {
  if (options.interactive) {
    return {
      start(label, total) {
        const bar = new cliProgress.SingleBar(
          { format: `${label.padEnd(34)} [{bar}] {percentage}% {value}/{total} {detail}`, hideCursor: true, clearOnComplete: false, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { detail: '' });
        return {
          update: (done, detail) => bar.update(done, { detail: detail ?? '' }),
          finish: (detail) => {
            bar.update(total, { detail: detail ?? '' });
            bar.stop();
          },
        };
      },
    };
  }
  return {
    start(label, total) {
      let last = 0;
      const started = performance.now();
      return {
        update(done, detail) {
          const now = performance.now();
          if (now - last < 3000) return;
          last = now;
          options.logger.info({ task: label, done, total, detail }, 'progress');
        },
        finish(detail) {
          options.logger.info({ task: label, total, detail, seconds: Math.round((performance.now() - started) / 100) / 10 }, 'done');
        },
      };
    },
  };
}
