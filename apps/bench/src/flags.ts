/**
 * A reader of integer flags for a benchmark's option parser: a missing flag gives `fallback`; a bad
 * one adds a message naming it to `issues` (the parser reports them all at once) and gives `fallback`.
 */
export function intFlags(flags: Record<string, string | undefined>, issues: string[]): (name: string, fallback: number, min: number, max: number) => number {
  return (name, fallback, min, max) => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      issues.push(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
}
