import { open } from 'node:fs/promises';

/** How much of a log's end is read to find its last lines (logs of a failed start are short). */
const TAIL_BYTES = 16 * 1024;

/**
 * The last `lines` non-empty lines of a log file, for error messages about a process that failed
 * ("" when the file does not exist or is empty). Reads only the file's end, however long it is.
 */
export async function readLogTail(file: string, lines = 20): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const all = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
    // The first line may be cut in the middle when the file is longer than what was read.
    const whole = size > length ? all.slice(1) : all;
    return whole.slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

/** `message`, followed by the log's last lines (indented) and where the whole log is. */
export async function withLogTail(message: string, logFile: string, lines = 20): Promise<string> {
  const tail = await readLogTail(logFile, lines);
  const shown = tail === '' ? '  (the log is empty)' : tail.split('\n').map((line) => `  ${line}`).join('\n');
  return `${message}\nLast lines of ${logFile}:\n${shown}`;
}
