/**
 * A tiny, deterministic federated-learning world for the scenario test: logistic regression on two
 * Gaussian features, trained by full-batch gradient descent and averaged with FedAvg. It exists so
 * the validation metrics, update sizes and label counts the contribution functions judge are
 * produced by actual training, not typed in.
 */

/** mulberry32: a small seeded PRNG, so every run of the scenario is identical. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface Dataset {
  /** Row i is (x[2i], x[2i+1]). */
  x: Float64Array;
  y: Uint8Array;
}

/** n rows; label 1 with probability positiveRate; class means (−1, −1) and (1, 1), unit variance. */
export function makeDataset(random: () => number, n: number, positiveRate: number): Dataset {
  const x = new Float64Array(2 * n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = random() < positiveRate ? 1 : 0;
    const centre = label === 1 ? 1 : -1;
    y[i] = label;
    x[2 * i] = centre + gaussian(random);
    x[2 * i + 1] = centre + gaussian(random);
  }
  return { x, y };
}

/** The label flipper's data: same rows, every label inverted. */
export function flipLabels(data: Dataset): Dataset {
  return { x: data.x, y: data.y.map((v) => 1 - v) };
}

export function firstRows(data: Dataset, n: number): Dataset {
  return { x: data.x.slice(0, 2 * n), y: data.y.slice(0, n) };
}

export function labelCounts(data: Dataset): number[] {
  const counts = [0, 0];
  for (const label of data.y) counts[label]! += 1;
  return counts;
}

/** (w1, w2, bias) */
export type Model = readonly [number, number, number];

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** `epochs` full-batch gradient steps of the logistic loss from `start`. */
export function train(start: Model, data: Dataset, epochs: number, learningRate = 0.5): Model {
  let [w1, w2, b] = start;
  const n = data.y.length;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let g1 = 0;
    let g2 = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const error = sigmoid(w1 * data.x[2 * i]! + w2 * data.x[2 * i + 1]! + b) - data.y[i]!;
      g1 += error * data.x[2 * i]!;
      g2 += error * data.x[2 * i + 1]!;
      gb += error;
    }
    w1 -= (learningRate * g1) / n;
    w2 -= (learningRate * g2) / n;
    b -= (learningRate * gb) / n;
  }
  return [w1, w2, b];
}

/** Accuracy and mean log loss of `model` on `data`. */
export function evaluate(model: Model, data: Dataset): { accuracy: number; loss: number } {
  const [w1, w2, b] = model;
  let correct = 0;
  let loss = 0;
  const n = data.y.length;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(w1 * data.x[2 * i]! + w2 * data.x[2 * i + 1]! + b)));
    const y = data.y[i]!;
    if ((p >= 0.5 ? 1 : 0) === y) correct++;
    loss -= y === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return { accuracy: correct / n, loss: loss / n };
}

/** Weighted FedAvg of whole models. */
export function fedAvg(updates: readonly { model: Model; weight: number }[]): Model {
  const total = updates.reduce((a, u) => a + u.weight, 0);
  const sum = [0, 0, 0];
  for (const { model, weight } of updates) model.forEach((v, k) => (sum[k]! += (v * weight) / total));
  return [sum[0]!, sum[1]!, sum[2]!];
}
