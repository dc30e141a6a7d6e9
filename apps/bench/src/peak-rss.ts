import { readFileSync } from 'node:fs';

/**
 * This process's own peak RSS. getrusage's maxrss (process.resourceUsage().maxRSS) is not it in a
 * child on Linux: the kernel folds in the forked copy of the parent — a child of a 800 MiB parent
 * reports 800 MiB at its first line. /proc/self/status VmHWM is the high-water mark of this process
 * image only; elsewhere maxRSS is all there is.
 */
export function ownPeakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
