import { chmod, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Where an agent keeps its identity key in its data directory (see the agent's AgentFiles). */
const AGENT_IDENTITY_FILE = 'identity.key';

/**
 * Keeps each site's identity key (its Ed25519 private key) in `keysDir` across runs. A hub database
 * that outlives a run (PostgreSQL) remembers every site's public key and refuses the same site name
 * with a new key; so a returning site must enrol with its old key, as a real hospital would.
 */
export class SiteIdentities {
  readonly #keysDir: string;

  constructor(keysDir: string) {
    this.#keysDir = keysDir;
  }

  /** Puts the site's kept key into a new agent directory, if there is one (the agent then reuses it). */
  async restore(slug: string, agentDir: string): Promise<void> {
    await mkdir(agentDir, { recursive: true, mode: 0o700 });
    try {
      await copyFile(this.#keyFile(slug), path.join(agentDir, AGENT_IDENTITY_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // first run: the agent creates one
      throw error;
    }
    // The agent refuses a key others can read.
    await chmod(path.join(agentDir, AGENT_IDENTITY_FILE), 0o600);
  }

  /** Keeps the key the agent used (after enrolment), for the site's next run. */
  async keep(slug: string, agentDir: string): Promise<void> {
    await mkdir(this.#keysDir, { recursive: true, mode: 0o700 });
    const file = this.#keyFile(slug);
    await copyFile(path.join(agentDir, AGENT_IDENTITY_FILE), file);
    await chmod(file, 0o600);
  }

  #keyFile(slug: string): string {
    return path.join(this.#keysDir, `${slug}.key`);
  }
}
