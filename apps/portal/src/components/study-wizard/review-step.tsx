'use client';
/** The wizard's last step: the settings in words, the spec file (downloadable) and Create. */
import type { StudySpec } from '@consilium/schemas/study';
import { Button } from 'react-aria-components';
import { encryptionLabel, formatInteger } from '../../lib/format.ts';
import { durationInWords, type StudyDraft } from '../../lib/study-spec.ts';

function download(text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'spec.json';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ReviewStep({ draft, spec, specText }: { draft: StudyDraft; spec: StudySpec | null; specText: string | null }) {
  if (!spec || !specText) {
    return (
      <p className="muted">
        The spec is shown here once every step is complete. Go back to the steps marked “needs attention”, or press Create study to be taken to the first
        problem.
      </p>
    );
  }
  const features = spec.data.columns.filter((c) => c.type !== 'ignore' && c.name !== spec.data.target.column);
  const excluded = spec.data.columns.filter((c) => c.type === 'ignore');
  const facts: Array<[string, string]> = [
    ['Study name', spec.name],
    ['Label', `${spec.data.target.column} (positive: ${spec.data.target.positive.join(', ')})`],
    ['Features', `${features.length}: ${features.map((c) => c.name).join(', ')}`],
    ['Excluded columns', excluded.length > 0 ? excluded.map((c) => c.name).join(', ') : 'None'],
    ['Model', spec.model.type === 'mlp' ? `Multilayer perceptron, hidden layers ${spec.model.hiddenUnits.join(', ')} (${spec.model.activation})` : 'Logistic regression'],
    ['Training', `${spec.training.rounds} rounds, ${spec.training.localEpochs} local epoch(s), batch size ${spec.training.batchSize}, learning rate ${spec.training.learningRate} (${spec.training.optimizer})`],
    ['Sites per round', `At least ${spec.federation.minSitesPerRound}`],
    ['Round deadline', durationInWords(spec.federation.roundDeadlineSeconds)],
    ['Start', spec.federation.autoStart ? 'Automatically, when every invited site has enrolled' : 'By hand'],
    ['Encryption', encryptionLabel(spec.privacy.secureAggregation)],
    [
      'Differential privacy',
      spec.privacy.differentialPrivacy
        ? `ε = ${spec.privacy.differentialPrivacy.epsilon}, δ = ${spec.privacy.differentialPrivacy.delta}, clipping norm ${spec.privacy.differentialPrivacy.clipNorm}`
        : 'Off',
    ],
    ['Largest total of training rows', formatInteger(spec.federation.maxTotalSamples)],
  ];
  return (
    <>
      <dl className="facts facts--grid">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="spec-heading" className="wizard__section">
        <h3 id="spec-heading">The study spec</h3>
        <p className="muted">
          Every setting, including the defaults the wizard did not ask about. Download it to keep a copy or to create the study from the command line with{' '}
          <code>consilium-hub study:create spec.json</code>.
        </p>
        <div className="actions">
          <Button className="button button--quiet" onPress={() => download(specText)}>
            Download spec.json
          </Button>
        </div>
        <pre className="spec-json" tabIndex={0} aria-label="The study spec as JSON" data-testid="spec-json">
          {specText}
        </pre>
        <p className="muted">
          After you create the study, invite the sites from the study&apos;s page. Nothing is trained until the sites have enrolled
          {draft.federation.autoStart ? '' : ' and the study is started'}.
        </p>
      </section>
    </>
  );
}
