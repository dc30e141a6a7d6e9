import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The hub's and agent's command-line scripts, found through their workspace packages (each
 * package's entry is src/index.ts; its CLI is bin/ beside src/), so the orchestrator runs exactly
 * the code a person runs by hand.
 */
export function hubCliScript(): string {
  return binOf('@consilium/hub', 'consilium-hub.js');
}

/** See hubCliScript. */
export function agentCliScript(): string {
  return binOf('@consilium/agent', 'consilium-agent.js');
}

function binOf(packageName: string, script: string): string {
  const entry = fileURLToPath(import.meta.resolve(packageName));
  return path.join(path.dirname(entry), '..', 'bin', script);
}
