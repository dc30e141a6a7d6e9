export { AgentFiles } from './agent-files.ts';
export { AGENT_VERSION } from './version.ts';
