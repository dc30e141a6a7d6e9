import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ: 100 on every Linux ABI Node runs on). */
const CLOCK_TICKS = 100;

/** What the kernel says of another process: its peak and current RSS, and its CPU time so far. */
export interface ProcStats {
  /** VmHWM: the process's own peak resident set (see ../peak-rss.ts). */
  peakRssBytes: number;
  rssBytes: number;
  /** utime + stime. */
  cpuSeconds: number;
}

/** Reads /proc/<pid>/status and /proc/<pid>/stat; null when the process is gone (or this is not Linux). */
export function procStats(pid: number): ProcStats | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS'), cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}
