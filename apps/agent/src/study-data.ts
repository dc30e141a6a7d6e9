import { encodeFeatures, loadDataset, splitTrainTest, type EncodedFeatures, type GlobalStatistics, type LocalDataset } from '@consilium/data';
import type { StudySpec } from '@consilium/schemas';

/**
 * A study's local data, loaded once per agent process: validated against the study's schema, split
 * into train and held-out test rows (stratified, seeded — the same split after every restart), and
 * encoded with the consortium's statistics once they are known.
 */
export class StudyData {
  readonly train: LocalDataset;
  readonly test: LocalDataset;
  readonly #spec: StudySpec;
  #encoded: { key: string; train: EncodedFeatures; test: EncodedFeatures } | null = null;

  private constructor(spec: StudySpec, train: LocalDataset, test: LocalDataset) {
    this.#spec = spec;
    this.train = train;
    this.test = test;
  }

  static async load(spec: StudySpec, csvPath: string): Promise<StudyData> {
    const dataset = await loadDataset(spec.data, csvPath);
    const { train, test } = splitTrainTest(dataset, { testFraction: spec.training.testFraction, seed: spec.training.seed });
    return new StudyData(spec, train, test);
  }

  /** Features standardised with the consortium's statistics (or raw when the study says so). */
  encoded(statistics: GlobalStatistics | null): { train: EncodedFeatures; test: EncodedFeatures } {
    const stats = this.#spec.preprocessing.standardize === 'federated' ? statistics : null;
    const key = JSON.stringify(stats);
    if (this.#encoded?.key !== key) {
      this.#encoded = { key, train: encodeFeatures(this.#spec.data, this.train, stats), test: encodeFeatures(this.#spec.data, this.test, stats) };
    }
    return this.#encoded;
  }
}
