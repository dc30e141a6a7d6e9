import { claimPayloadHash, evaluationPayloadHash, signPayload } from '@consilium/protocol';
import type { ContributionClaim, EvalMetrics, Task } from '@consilium/schemas';
import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import type { DomainContext } from '../context.ts';
import { reportClaim } from '../contribution/report-claim.ts';
import { reportEvaluation } from '../models/report-evaluation.ts';
import { performTask } from './drive.ts';
import type { SimulatedSite } from './simulated-site.ts';
import type { TestStudy } from './test-study.ts';
import type { HubTransport } from './transport.ts';

/** Held-out rows every simulated site declares and evaluates on. */
const HELD_OUT = 50;

/**
 * Runs a study to the end with contribution accounting, every site honest and doing its work as the
 * agent does: a signed declaration before its statistics upload, a signed training claim before each
 * training upload, and a signed evaluation of each new model (reported straight to the domain, as
 * the agent's reportClaim / reportEvaluation calls would). Sites then earn rewards as rounds settle.
 */
export async function runStudyWithContribution(ctx: DomainContext, transport: HubTransport, study: TestStudy, options: { maxPasses?: number } = {}): Promise<void> {
  const maxPasses = options.maxPasses ?? 80;
  const authenticated = (site: SimulatedSite): AuthenticatedSite => ({ siteId: site.siteId, siteName: site.name, publicKey: site.identity.publicKey });
  const claimOf = (site: SimulatedSite, task: Task): ContributionClaim => {
    const { samples, positives } = site.profile;
    if (task.kind === 'stats') return { kind: 'declaration', trainRows: samples, heldOutRows: HELD_OUT, labelCounts: [samples - positives, positives] };
    return { kind: 'training', samples, epochs: study.spec.training.localEpochs };
  };
  for (let pass = 0; pass < maxPasses; pass++) {
    let performed = 0;
    for (const [i, site] of study.sites.entries()) {
      const { tasks } = await transport.poll(site);
      for (const task of tasks.filter((t) => t.studyId === study.id)) {
        if (task.kind === 'evaluate') {
          const metrics: EvalMetrics = { n: HELD_OUT, accuracy: 0.8 + 0.01 * i, loss: 0.45 - 0.01 * i, auc: 0.85, positiveRate: 0.1 };
          const signature = signPayload({
            privateKeyPem: site.identity.privateKeyPem,
            purpose: 'evaluation',
            studyId: study.id,
            roundId: task.modelVersionId,
            siteId: site.siteId,
            payloadSha256: evaluationPayloadHash({ modelVersionId: task.modelVersionId, metrics }),
          });
          await reportEvaluation(ctx, authenticated(site), { studyId: study.id, modelVersionId: task.modelVersionId, metrics, signature });
        } else {
          if (task.kind === 'stats' || task.kind === 'train') {
            const claim = claimOf(site, task);
            const signature = signPayload({
              privateKeyPem: site.identity.privateKeyPem,
              purpose: 'claim',
              studyId: study.id,
              roundId: task.roundId,
              siteId: site.siteId,
              payloadSha256: claimPayloadHash({ roundId: task.roundId, claim }),
            });
            await reportClaim(ctx, authenticated(site), { studyId: study.id, roundId: task.roundId, claim, signature });
          }
          await performTask(site, transport, study, task);
        }
        performed += 1;
      }
    }
    if (performed === 0) return;
  }
  throw new Error(`study ${study.id} still had work after ${maxPasses} passes`);
}
