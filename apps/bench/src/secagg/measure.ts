import os from 'node:os';
import { sealHeapBytes } from '@consilium/secagg';
import { ownPeakRssBytes } from '../peak-rss.ts';

/** One memory reading of this process. */
export interface MemorySample {
  rss_bytes: number;
  /** The process's own peak RSS so far (VmHWM on Linux; see peak-rss.ts). */
  peak_rss_bytes: number;
  /** JavaScript heap in use (after nothing is forced: a reading, not a lower bound). */
  js_heap_used_bytes: number;
  /** ArrayBuffers outside the JS heap (where ciphertext bytes live). */
  array_buffers_bytes: number;
  /** SEAL's WebAssembly heap: it grows and never shrinks, so this is its high-water mark. */
  seal_heap_bytes: number | null;
}

export function sampleMemory(): MemorySample {
  const usage = process.memoryUsage();
  return {
    rss_bytes: usage.rss,
    peak_rss_bytes: ownPeakRssBytes(),
    js_heap_used_bytes: usage.heapUsed,
    array_buffers_bytes: usage.arrayBuffers,
    seal_heap_bytes: sealHeapBytes() ?? null,
  };
}

/** Wall time and CPU time of `fn`, in seconds: CPU/wall ≈ 1 shows it ran on one core. */
export function timed<T>(fn: () => T): { value: T; wallS: number; cpuS: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wallS = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { value, wallS, cpuS: (used.user + used.system) / 1e6 };
}

/**
 * The median of per-party times. Every site (and every decryptor) does the same work, so their
 * spread is this machine's noise (other processes, GC), not a slower party.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The machine the figures were measured on, and how busy it was (a load above the CPU count slows every figure). */
export function machine(): { cpus: number; cpu_model: string; load_average_1m: number; total_memory_bytes: number } {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpu_model: cpus[0]?.model ?? 'unknown', load_average_1m: os.loadavg()[0]!, total_memory_bytes: os.totalmem() };
}
