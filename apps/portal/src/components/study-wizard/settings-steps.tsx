'use client';
/** The wizard's settings steps: model and local training, federation, privacy. */
import { durationInWords } from '../../lib/study-spec.ts';
import { NumberInput, RadioInput, SelectInput, SwitchInput, TextInput } from '../ui/fields.tsx';
import type { StepProps } from './study-wizard.tsx';

export function ModelStep({ draft, update, errors }: StepProps) {
  const { model, training } = draft;
  const setTraining = (change: Partial<typeof training>, fromNumberField = false) => update((d) => ({ ...d, training: { ...d.training, ...change } }), fromNumberField);
  return (
    <>
      <section aria-labelledby="model-heading" className="wizard__section">
        <h3 id="model-heading">Model</h3>
        <RadioInput
          label="Model kind"
          value={model.type}
          onChange={(type) => update((d) => ({ ...d, model: { ...d.model, type } }))}
          error={errors.fields['model.type']}
          options={[
            { id: 'logistic_regression', label: 'Logistic regression', description: 'Simple and easy to explain: each feature gets one weight. A good first choice.' },
            { id: 'mlp', label: 'Multilayer perceptron (small neural network)', description: 'Can learn interactions between features; needs more data and rounds.' },
          ]}
        />
        {model.type === 'mlp' ? (
          <div className="form-grid form-grid--two">
            <TextInput
              label="Hidden layers"
              description="Units per hidden layer, separated by commas: e.g. 16, or 32, 16 (1 to 4 layers, up to 1024 units each)."
              value={model.hiddenUnits}
              onChange={(hiddenUnits) => update((d) => ({ ...d, model: { ...d.model, hiddenUnits } }))}
              error={errors.fields['model.hiddenUnits']}
              isRequired
            />
            <SelectInput
              label="Activation"
              value={model.activation}
              onChange={(activation) => update((d) => ({ ...d, model: { ...d.model, activation } }))}
              options={[
                { id: 'relu', label: 'ReLU (default)' },
                { id: 'tanh', label: 'tanh' },
              ]}
              error={errors.fields['model.activation']}
            />
          </div>
        ) : null}
      </section>
      <section aria-labelledby="training-heading" className="wizard__section">
        <h3 id="training-heading">Local training at each site</h3>
        <div className="form-grid form-grid--three">
          <NumberInput
            label="Training rounds"
            description="How many times the sites train and the hub combines their updates (1 to 1000)."
            value={training.rounds}
            onChange={(rounds) => setTraining({ rounds }, true)}
            minValue={1}
            error={errors.fields['training.rounds']}
            isRequired
          />
          <NumberInput
            label="Local epochs per round"
            description="Passes over the site's own rows in each round (1 to 100)."
            value={training.localEpochs}
            onChange={(localEpochs) => setTraining({ localEpochs }, true)}
            minValue={1}
            error={errors.fields['training.localEpochs']}
            isRequired
          />
          <NumberInput
            label="Batch size"
            description="Rows per training step (1 to 65536)."
            value={training.batchSize}
            onChange={(batchSize) => setTraining({ batchSize }, true)}
            minValue={1}
            error={errors.fields['training.batchSize']}
            isRequired
          />
          <NumberInput
            label="Learning rate"
            description="Step size of each update; 0.01 to 0.1 is usual."
            value={training.learningRate}
            onChange={(learningRate) => setTraining({ learningRate }, true)}
            step={0.001}
            minValue={0}
            error={errors.fields['training.learningRate']}
            isRequired
          />
          <SelectInput
            label="Optimizer"
            value={training.optimizer}
            onChange={(optimizer) => setTraining({ optimizer })}
            options={[
              { id: 'sgd', label: 'SGD (default)' },
              { id: 'adam', label: 'Adam' },
            ]}
            error={errors.fields['training.optimizer']}
          />
        </div>
      </section>
    </>
  );
}

export function FederationStep({ draft, update, errors }: StepProps) {
  const { federation } = draft;
  const set = (change: Partial<typeof federation>, fromNumberField = false) => update((d) => ({ ...d, federation: { ...d.federation, ...change } }), fromNumberField);
  const encrypted = draft.privacy.secureAggregation !== 'none';
  return (
    <div className="form-grid form-grid--two">
      <NumberInput
        label="Minimum sites per round"
        description={
          encrypted
            ? 'A round is combined only when at least this many sites have sent their update. At least 2 with encryption, so no single site’s update can be read.'
            : 'A round is combined only when at least this many sites have sent their update.'
        }
        value={federation.minSitesPerRound}
        onChange={(minSitesPerRound) => set({ minSitesPerRound }, true)}
        minValue={1}
        error={errors.fields['federation.minSitesPerRound']}
        isRequired
      />
      <NumberInput
        label="Round deadline (seconds)"
        description={`How long sites have to send their update once a round opens${Number.isFinite(federation.roundDeadlineSeconds) ? `: ${durationInWords(federation.roundDeadlineSeconds)}` : ''}. 5 seconds to 7 days.`}
        value={federation.roundDeadlineSeconds}
        onChange={(roundDeadlineSeconds) => set({ roundDeadlineSeconds }, true)}
        minValue={5}
        error={errors.fields['federation.roundDeadlineSeconds']}
        isRequired
      />
      <NumberInput
        label="Decryption deadline (seconds)"
        description={`How long sites have to help decrypt the combined result${Number.isFinite(federation.decryptionDeadlineSeconds) ? `: ${durationInWords(federation.decryptionDeadlineSeconds)}` : ''}.${encrypted ? '' : ' Not used without encryption.'}`}
        value={federation.decryptionDeadlineSeconds}
        onChange={(decryptionDeadlineSeconds) => set({ decryptionDeadlineSeconds }, true)}
        minValue={5}
        error={errors.fields['federation.decryptionDeadlineSeconds']}
        isRequired
      />
      <SwitchInput
        isSelected={federation.autoStart}
        onChange={(autoStart) => set({ autoStart })}
        description="On: the study starts by itself once every invited site has enrolled. Off: a consortium administrator or the study lead starts it."
      >
        Start automatically when all invited sites have enrolled
      </SwitchInput>
    </div>
  );
}

export function PrivacyStep({ draft, update, errors }: StepProps) {
  const { privacy } = draft;
  const set = (change: Partial<typeof privacy>, fromNumberField = false) => update((d) => ({ ...d, privacy: { ...d.privacy, ...change } }), fromNumberField);
  const dpError = errors.fields['privacy.differentialPrivacy'];
  return (
    <>
      <RadioInput
        label="Secure aggregation"
        value={privacy.secureAggregation}
        onChange={(secureAggregation) => set({ secureAggregation })}
        error={errors.fields['privacy.secureAggregation']}
        options={[
          {
            id: 'ckks-multiparty',
            label: 'Encrypted updates (recommended)',
            description: 'Each site encrypts its update under a key no single party holds. The hub only ever sees the combined result, never one hospital’s update.',
          },
          {
            id: 'none',
            label: 'No encryption',
            description: 'The hub can read every site’s update. Only for tests and non-sensitive data.',
          },
        ]}
      />
      <section aria-labelledby="dp-heading" className="wizard__section">
        <h3 id="dp-heading">Differential privacy</h3>
        <SwitchInput
          isSelected={privacy.differentialPrivacy}
          onChange={(differentialPrivacy) => set({ differentialPrivacy })}
          description="Adds calibrated noise so that the published models reveal little about any one site's data. Needs encrypted updates. The study stops when the privacy budget is spent."
        >
          Use differential privacy
        </SwitchInput>
        {dpError ? (
          <p className="field__error" role="alert">
            {dpError}
          </p>
        ) : null}
        {privacy.differentialPrivacy ? (
          <div className="form-grid form-grid--three">
            <NumberInput
              label="Privacy budget ε (epsilon)"
              description="Total over all rounds. Smaller is more private but less accurate; 1 to 10 is usual."
              value={privacy.epsilon}
              onChange={(epsilon) => set({ epsilon }, true)}
              minValue={0}
              step={0.1}
              error={errors.fields['privacy.differentialPrivacy.epsilon']}
              isRequired
            />
            <NumberInput
              label="δ (delta)"
              description="Chance the guarantee does not hold; well below 1 ÷ number of sites."
              value={privacy.delta}
              onChange={(delta) => set({ delta }, true)}
              minValue={0}
              maxValue={1}
              step={0.00001}
              formatOptions={{ maximumSignificantDigits: 6, useGrouping: false }}
              error={errors.fields['privacy.differentialPrivacy.delta']}
              isRequired
            />
            <NumberInput
              label="Clipping norm"
              description="The largest change one site may make to the model in a round; larger changes are scaled down. 1 is a common start."
              value={privacy.clipNorm}
              onChange={(clipNorm) => set({ clipNorm }, true)}
              minValue={0}
              step={0.1}
              error={errors.fields['privacy.differentialPrivacy.clipNorm']}
              isRequired
            />
          </div>
        ) : null}
      </section>
    </>
  );
}
