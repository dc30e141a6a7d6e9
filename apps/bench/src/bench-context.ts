/** What a benchmark gets: its flags, a folder for its runs, the database choice, a progress logger. */
export interface BenchContext {
  flags: Record<string, string | undefined>;
  /** Scratch folder for this run (processes' logs, databases). */
  workDir: string;
  /** PostgreSQL for the hubs a benchmark starts; embedded PGlite when absent. */
  databaseUrl: string | undefined;
  log(line: string): void;
}

/** A benchmark's figures: written as JSON, and printed as text. */
export interface BenchResult {
  json: Record<string, unknown>;
  text: string;
}

export interface Benchmark {
  name: string;
  help: string;
  /** The flags it takes: `string` ones take a value, `boolean` ones don't. */
  options: Record<string, 'string' | 'boolean'>;
  run(ctx: BenchContext): Promise<BenchResult>;
}
