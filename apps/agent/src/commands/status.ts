import { fingerprint } from '@consilium/protocol';
import type { AgentFiles } from '../agent-files.ts';
import { loadConfig, networkOf, type NetworkResolver } from '../config.ts';
import { describeHubError, HubConnection } from '../hub-connection.ts';
import { loadIdentity } from '../identity-store.ts';
import { StudyState } from '../study-state.ts';
import { TransferLog } from '../transfer-log.ts';
import { AGENT_VERSION } from '../version.ts';
import { printKeyMaterial } from './key-material.ts';

/** What an IT admin wants at a glance: who this site is, is the hub reachable, which studies, what is pending. */
export async function statusCommand(files: AgentFiles, print: (line: string) => void, network: NetworkResolver = (c) => networkOf(c, {})): Promise<void> {
  const config = await loadConfig(files);
  const identity = await loadIdentity(files.identityKey);
  print(`Site:        ${config.siteName} (${config.siteId})`);
  print(`Identity:    ${fingerprint(identity.publicKey)}  (${files.identityKey})`);
  print(`Hub:         ${config.hubUrl}`);
  print(`Data:        ${Object.entries(config.datasets).map(([k, v]) => `${k === '*' ? 'default' : k}: ${v}`).join(', ') || '(none configured)'}`);
  const hub = new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem: identity.privateKeyPem, timeoutMs: 10_000, network: network(config) });
  const names = new Map<string, string>();
  try {
    const poll = await hub.client.agent.poll.mutate({ agentVersion: AGENT_VERSION, backend: null });
    for (const s of poll.studies) names.set(s.studyId, s.name);
    print(`Hub status:  reachable (server time ${poll.serverTime})`);
    print(`Studies:`);
    for (const s of poll.studies) {
      const pending = await new StudyState(files, s.studyId).pending();
      const consent = s.consent === 'approved' ? 'approved' : `${s.consent} — a site administrator must approve it in the portal before this agent works for it`;
      print(
        `  ${s.name} [${s.status}${s.pausedAt ? ', paused' : ''}] consent: ${consent}${s.failureReason ? ` — ${s.failureReason}` : ''}${pending.length ? `  (${pending.length} upload(s) waiting to be re-sent)` : ''}`,
      );
    }
    print(`Pending work: ${poll.tasks.length === 0 ? 'none' : poll.tasks.map((t) => (t.kind === 'keygen' ? `keygen (${t.stage})` : t.kind)).join(', ')}`);
  } catch (error) {
    print(`Hub status:  NOT reachable — ${describeHubError(error)}`);
  }
  // From local files only: the pins are what this site trusts, whatever the hub says now.
  await printKeyMaterial(files, config.siteId, names, print);
  const transfers = await new TransferLog(files.transfers).read();
  const last = transfers.at(-1);
  print(`Uploads:     ${transfers.length} in total${last ? `, last ${last.kind} at ${last.at}` : ''}`);
}
