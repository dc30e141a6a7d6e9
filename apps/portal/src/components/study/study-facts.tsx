import type { ReactNode } from 'react';
import { encryptionLabel, formatInteger, shortHash } from '../../lib/format.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { DateTime } from '../date-time.tsx';

const MODEL_LABELS: Record<string, string> = { logistic_regression: 'Logistic regression', mlp: 'Multilayer perceptron' };

/** The study's headline facts as a description list. */
export function StudyFacts({ study }: { study: StudyProgress }) {
  const facts: Array<[string, ReactNode]> = [
    ['Study id', <code key="id">{study.id}</code>],
    ['Model', MODEL_LABELS[study.spec.model.type] ?? study.spec.model.type],
    ['Encryption', encryptionLabel(study.spec.privacy.secureAggregation)],
    ['Planned rounds', study.spec.training.rounds],
    ['Minimum sites per round', study.spec.federation.minSitesPerRound],
    ['Training samples', formatInteger(study.totalSamples)],
    ['Created', <DateTime key="created" iso={study.createdAt} />],
    ['Started', <DateTime key="started" iso={study.startedAt} fallback="Not started" />],
    ['Completed', <DateTime key="completed" iso={study.completedAt} fallback="Not completed" />],
    [
      'Collective public key',
      study.publicKeyHash ? (
        <code key="pk" title={study.publicKeyHash}>
          {shortHash(study.publicKeyHash, 16)}
        </code>
      ) : (
        <span key="pk" className="muted">
          Not generated yet
        </span>
      ),
    ],
  ];
  return (
    <dl className="facts facts--grid">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
