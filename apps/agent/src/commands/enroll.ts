import { describeError } from '@consilium/errors';
import { createHubClient } from '@consilium/api/client';
import { fingerprint } from '@consilium/protocol';
import type { Logger } from 'pino';
import type { AgentFiles } from '../agent-files.ts';
import { loadConfig, networkOf, saveConfig, type AgentConfig } from '../config.ts';
import { loadOrCreateIdentity } from '../identity-store.ts';
import { createOutboundFetch, type NetworkOptions, type ProxyEnv } from '../network.ts';
import { TransferLog } from '../transfer-log.ts';
import { AGENT_VERSION } from '../version.ts';

export interface EnrollOptions {
  hubUrl: string;
  token: string;
  data?: string | undefined;
  /**
   * The operator approves, for the site, taking part in the token's study. Without it the site's
   * membership stays pending: the agent does nothing for the study until a site administrator
   * approves it in the portal.
   */
  approveStudy?: boolean | undefined;
  /** Remembered in the config: the CA bundle and proxy for the hub (init asks for them). */
  caFile?: string | undefined;
  proxy?: string | undefined;
  /** How to reach the hub now (default: the caFile and proxy above). */
  network?: NetworkOptions | undefined;
  /** The proxy environment (HTTPS_PROXY, NO_PROXY…) when `network` is not given. */
  env?: ProxyEnv | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Redeems a one-time enrolment token: creates the site's identity key pair on first use (private key
 * 0600 in the data directory), registers the public key with the hub, and records the site's config.
 */
export async function enrollCommand(files: AgentFiles, options: EnrollOptions, print: (line: string) => void, logger?: Logger): Promise<void> {
  const identity = await loadOrCreateIdentity(files.identityKey);
  const existing = await loadConfig(files).catch(() => null);
  // The same hub may have moved (new address, restarted on another port): the hub recognises the site
  // by its identity key, so re-enrolling simply records the new address.
  const movedFrom = existing && existing.hubUrl !== options.hubUrl ? existing.hubUrl : null;
  const caFile = options.caFile ?? existing?.caFile;
  const proxy = options.proxy ?? existing?.proxy;
  const network = options.network ?? networkOf({ caFile, proxy }, options.env ?? {});
  const client = createHubClient({ url: options.hubUrl, fetch: createOutboundFetch(network, { timeoutMs: options.timeoutMs ?? 60_000 }) });
  let result;
  try {
    result = await client.enrollment.enroll.mutate({ token: options.token, publicKey: identity.publicKey, agentVersion: AGENT_VERSION, approveStudy: options.approveStudy === true });
  } catch (error) {
    // Never the token: the hub's messages say what is wrong with it without repeating it.
    logger?.error({ hub: options.hubUrl, error: describeError(error) }, 'enrolment failed');
    throw new Error(`Enrolment failed: ${describeError(error)}`, { cause: error });
  }
  const config: AgentConfig = {
    hubUrl: options.hubUrl,
    siteId: result.siteId,
    siteName: result.siteName,
    datasets: { ...(existing?.datasets ?? {}), ...(options.data ? { [result.studyId]: options.data } : {}) },
    backend: existing?.backend ?? 'auto',
    ...(caFile ? { caFile } : {}),
    ...(proxy ? { proxy } : {}),
  };
  if (movedFrom && existing?.siteId !== result.siteId) {
    print(`Note: this agent was enrolled with ${movedFrom} as another site; it now works for ${options.hubUrl} only (use a separate --dir per hub).`);
  }
  await saveConfig(files, config);
  await new TransferLog(files.transfers).append({ kind: 'enrolment', studyId: result.studyId, roundId: null, bytes: identity.publicKey.length, sha256: null });
  logger?.info(
    { hub: options.hubUrl, siteId: result.siteId, studyId: result.studyId, fingerprint: fingerprint(identity.publicKey), newKey: identity.created, consent: result.consent },
    'enrolled',
  );
  print(`Enrolled as site "${result.siteName}" (${result.siteId}) in study "${result.studyName}".`);
  print(`Identity key fingerprint: ${fingerprint(identity.publicKey)}${identity.created ? ' (new key created)' : ''}`);
  if (result.consent === 'approved') {
    print(`This site has approved taking part in study "${result.studyName}".`);
  } else {
    print(
      `This site has not approved taking part in study "${result.studyName}" (consent: ${result.consent}). ` +
        'A site administrator must approve the study in the portal (or re-run enrolment with --approve-study) before this agent trains or uploads anything for it.',
    );
  }
  if (result.studyStarted) print('Every invited site has enrolled: the study has started.');
  if (!options.data) print('Next: run "consilium-agent doctor --data <file.csv>" to check your data, then "consilium-agent run --data <file.csv>".');
}
