import { z } from 'zod';

/** The model every site trains. Built with TensorFlow.js from this spec, identically on every site. */
export const ModelSpec = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('logistic_regression'),
  }),
  z.strictObject({
    type: z.literal('mlp'),
    /** Units of each hidden layer, e.g. [16] or [32, 16]. */
    hiddenUnits: z.array(z.number().int().min(1).max(1024)).min(1).max(4),
    activation: z.enum(['relu', 'tanh']).default('relu'),
  }),
]);
export type ModelSpec = z.infer<typeof ModelSpec>;

/** Local training each site runs in every round. */
export const TrainingConfig = z.strictObject({
  /** Federated rounds (after the statistics round). */
  rounds: z.number().int().min(1).max(1000).default(20),
  localEpochs: z.number().int().min(1).max(100).default(1),
  batchSize: z.number().int().min(1).max(65536).default(32),
  learningRate: z.number().positive().max(10).default(0.05),
  optimizer: z.enum(['sgd', 'adam']).default('sgd'),
  /** L2 penalty on weights (not biases). */
  l2: z.number().min(0).max(10).default(0),
  /** Seeds weight initialisation, data shuffling and the train/test split: same seed, same result. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** Fraction of each site's rows held out (stratified) for local evaluation. */
  testFraction: z.number().min(0).max(0.9).default(0.34),
  /** Decision threshold on the predicted probability for accuracy. */
  threshold: z.number().gt(0).lt(1).default(0.5),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;
