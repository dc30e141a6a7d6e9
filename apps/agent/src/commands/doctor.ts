import { readFile } from 'node:fs/promises';
import { formatDoctorReport, inspectDataset } from '@consilium/data';
import { parseStudySpec, StudySpec } from '@consilium/schemas';
import type { AgentFiles } from '../agent-files.ts';
import { datasetFor, loadConfig, networkOf, type NetworkResolver } from '../config.ts';
import { HubConnection } from '../hub-connection.ts';
import { loadIdentity } from '../identity-store.ts';
import { AGENT_VERSION } from '../version.ts';

export interface DoctorOptions {
  data?: string | undefined;
  /** A local study spec file (works before enrolment, with nothing sent anywhere). */
  spec?: string | undefined;
  study?: string | undefined;
  /** How to reach the hub (default: the config's CA bundle and proxy). */
  network?: NetworkResolver | undefined;
}

/**
 * Checks local data against a study's schema and prints exactly what is wrong (file, line, column,
 * value, expectation). Reads the schema from a local spec file or, once enrolled, from the hub;
 * never sends any data. Returns false when the data has errors.
 */
export async function doctorCommand(files: AgentFiles, options: DoctorOptions, print: (text: string) => void): Promise<boolean> {
  const targets: Array<{ label: string; spec: StudySpec; csv: string }> = [];
  if (options.spec) {
    if (!options.data) throw new Error('--spec needs --data <file.csv>');
    const spec = parseStudySpec(JSON.parse(await readFile(options.spec, 'utf8')));
    targets.push({ label: spec.name, spec, csv: options.data });
  } else {
    const config = await loadConfig(files);
    const identity = await loadIdentity(files.identityKey);
    const network = (options.network ?? ((c) => networkOf(c, {})))(config);
    const hub = new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem: identity.privateKeyPem, network, timeoutMs: 60_000 });
    const poll = await hub.client.agent.poll.mutate({ agentVersion: AGENT_VERSION, backend: null });
    const studies = poll.studies.filter((s) => !options.study || s.studyId === options.study);
    if (studies.length === 0) throw new Error(options.study ? `This site is not part of study ${options.study}` : 'This site is not part of any study yet');
    for (const s of studies) {
      const view = await hub.client.agent.study.query({ studyId: s.studyId });
      targets.push({ label: view.name, spec: StudySpec.parse(view.spec), csv: options.data ?? datasetFor(config, s.studyId) });
    }
  }
  let ok = true;
  for (const target of targets) {
    const report = await inspectDataset(target.spec.data, target.csv, { testFraction: target.spec.training.testFraction });
    print(`Study "${target.label}"\n${formatDoctorReport(report)}\n`);
    ok &&= report.ok;
  }
  return ok;
}
