import type { ConsortiumStage, StudyProgress } from '../orchestrator/index.ts';
import { formatDuration } from '../report/format-numbers.ts';
import { renderProgressView } from './progress-table.ts';
import { describeChanges } from './state-changes.ts';
import { describePhase } from './study-phase.ts';

/** Where the view writes: a terminal (redrawn in place) or anything else (one line per change). */
export interface ViewOutput {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** The demo's live progress display. */
export interface LiveView {
  stage(stage: ConsortiumStage): void;
  update(progress: StudyProgress): void;
  /** Prints lines of its own (e.g. where the portal is) above the view, which goes on below them. */
  notice(text: string): void;
  /** A line under the view, redrawn with it (a terminal only; null removes it). */
  footer(line: (() => string) | null): void;
  /** Draws the last state for good and restores the cursor. */
  close(): void;
}

/** How often the terminal view redraws when nothing changes (the clocks move on). */
const REDRAW_MS = 1000;

/**
 * A terminal gets a table redrawn in place (cursor moved back over the previous drawing); a pipe
 * or file gets one timestamped line per change, so logs stay readable.
 */
export function createLiveView(output: ViewOutput, options: { title: string; startedAt?: number }): LiveView {
  const startedAt = options.startedAt ?? performance.now();
  return output.isTTY ? terminalView(output, options.title, startedAt) : lineView(output, startedAt);
}

function terminalView(output: ViewOutput, title: string, startedAt: number): LiveView {
  let stage: ConsortiumStage = 'starting-hub';
  let progress: StudyProgress | null = null;
  let drawnLines = 0;
  let closed = false;
  let footer: (() => string) | null = null;

  const draw = () => {
    const width = Math.max(20, (output.columns ?? 120) - 1);
    // Long lines would wrap and break the count of lines to move back over: cut them.
    const view = renderProgressView({ title, stage, progress, elapsedMs: performance.now() - startedAt, now: new Date() });
    const lines = (footer ? [...view, '', footer()] : view).map((l) =>
      [...l].length > width ? `${[...l].slice(0, width - 1).join('')}…` : l,
    );
    const back = drawnLines > 0 ? `\x1b[${drawnLines}F` : '';
    output.write(`${back}\x1b[0J${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  output.write('\x1b[?25l'); // hide the cursor while redrawing
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  draw();

  return {
    stage(next) {
      if (closed) return;
      stage = next;
      draw();
    },
    update(next) {
      if (closed) return;
      progress = next;
      draw();
    },
    notice(text) {
      if (closed) {
        output.write(`${text}\n`);
        return;
      }
      // Over the drawing, then the drawing again below it.
      output.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F` : ''}\x1b[0J${text}\n\n`);
      drawnLines = 0;
      draw();
    },
    footer(line) {
      footer = line;
      if (!closed) draw();
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      footer = null;
      draw();
      output.write('\x1b[?25h');
    },
  };
}

function lineView(output: ViewOutput, startedAt: number): LiveView {
  let previous: StudyProgress | null = null;
  let lastStage: ConsortiumStage | null = null;
  const say = (text: string) => output.write(`[${formatDuration(performance.now() - startedAt).padStart(8)}] ${text}\n`);
  return {
    stage(stage) {
      if (stage === lastStage || stage === 'running') return;
      lastStage = stage;
      say(describePhase(null, stage));
    },
    update(progress) {
      for (const change of describeChanges(previous, progress)) say(change);
      previous = progress;
    },
    notice(text) {
      output.write(`${text}\n`);
    },
    footer() {},
    close() {},
  };
}
