/**
 * Synthetic binary-classification data for tests: a hidden logistic model over standard-normal
 * features. Rows drawn with different seeds from the same problem are IID samples of one
 * population, which is what a fair federated-vs-centralised comparison needs.
 */
import { createRng, deriveSeed, type Rng } from '@consilium/random';

/** Row-major features and 0/1 labels, the layout trainLocal takes. */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  n: number;
  d: number;
}

/** A hidden logistic model: P(y = 1 | x) = sigmoid(sharpness · (x·w + b)). */
export interface Problem {
  weights: Float64Array;
  bias: number;
  sharpness: number;
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A random problem with `d` features; sharper problems are closer to linearly separable. */
export function makeProblem(d: number, seed: number, sharpness = 3): Problem {
  const rng = createRng(deriveSeed(seed, 1));
  const weights = Float64Array.from({ length: d }, () => normal(rng));
  return { weights, bias: 0.3, sharpness };
}

/** `n` IID rows of `problem`. */
export function sample(problem: Problem, n: number, seed: number): Dataset {
  const d = problem.weights.length;
  const rng = createRng(deriveSeed(seed, 2));
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = problem.bias;
    for (let j = 0; j < d; j++) {
      const v = normal(rng);
      x[i * d + j] = v;
      z += v * problem.weights[j]!;
    }
    y[i] = rng() < 1 / (1 + Math.exp(-problem.sharpness * z)) ? 1 : 0;
  }
  return { x, y, n, d };
}

/** Splits rows into `parts` contiguous, near-equal datasets (IID when the rows are). */
export function splitRows(data: Dataset, parts: number): Dataset[] {
  const { d } = data;
  return Array.from({ length: parts }, (_, part) => {
    const start = Math.floor((part * data.n) / parts);
    const end = Math.floor(((part + 1) * data.n) / parts);
    return { x: data.x.slice(start * d, end * d), y: data.y.slice(start, end), n: end - start, d };
  });
}
