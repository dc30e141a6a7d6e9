/**
 * The agent's `run` as a function, for programs that drive an agent themselves (the contribution
 * benchmark runs agents that deviate from the protocol through `behaviour`). The CLI is cli.ts.
 */
export { AgentFiles } from './agent-files.ts';
export { SiteBehaviour } from './behaviour.ts';
export { runCommand, type RunCommandOptions } from './commands/run.ts';
export { createLogger } from './logger.ts';
export { createProgress } from './progress.ts';
