import pkg from '../package.json' with { type: 'json' };

/** Reported to the hub with every heartbeat. */
export const AGENT_VERSION: string = pkg.version;
