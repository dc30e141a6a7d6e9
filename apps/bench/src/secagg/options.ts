import { AppError, ErrorCode } from '@consilium/errors';
import { intFlags } from '../flags.ts';

/** The flags secagg takes (parsed strictly by main.ts: a misspelt flag is an error). */
export const secaggOptions = {
  params: 'string',
  sites: 'string',
  threshold: 'string',
  'paillier-params': 'string',
  'paillier-bits': 'string',
  'train-rows': 'string',
  'bandwidth-mbps': 'string',
  'hub-bandwidth-mbps': 'string',
  seed: 'string',
} as const;

export interface SecaggOptions {
  /** Model parameters P (the FedAvg vector adds 2 entries: weight and loss). */
  params: number;
  sites: number;
  /** Committee members needed to decrypt (the committee is every site). */
  threshold: number;
  /** Parameters each site encrypts under Paillier; per-parameter figures are extrapolated to P. */
  paillierParams: number;
  paillierBits: number;
  /** Synthetic rows of the one local epoch that measures training time. */
  trainRows: number;
  /** Each site's link, and the hub's (shared by every upload and download), in Mbit/s. */
  bandwidthMbps: number;
  hubBandwidthMbps: number;
  seed: number;
}

export const secaggHelp = `secagg — one FedAvg round's cost under multiparty CKKS, against plaintext and Paillier, on the same data
  --params <n>              model parameters (default 1000000)
  --sites <n>               sites, each submitting one update (default 10)
  --threshold <t>           committee members needed to decrypt (default a majority, floor(sites/2)+1)
  --paillier-params <n>     parameters per site encrypted under Paillier; its figures are extrapolated to
                            --params from this sample (default 2000: paillier-bigint packs ~55 values in a
                            ciphertext and encrypts a few hundred values per second)
  --paillier-bits <n>       Paillier modulus size (default 2048)
  --train-rows <n>          synthetic rows of the local epoch that times training (default 512, batch 32)
  --bandwidth-mbps <n>      each site's link (default 1000)
  --hub-bandwidth-mbps <n>  the hub's link, shared by all uploads and downloads (default 1000)
  --seed <n>                seeds the update vectors, weights and training data (default 42)
Round time model (sites in parallel on their own machines): local training + encode/encrypt, uploads
over the hub's link, hub validate+add of every submission, aggregate download to the t decryptors,
one decryptor's partial decryption (they run in parallel), share uploads, combine+decode.`;

/** The options from the flags, with defaults; throws INVALID_INPUT naming every bad flag. */
export function parseSecaggOptions(flags: Record<string, string | undefined>): SecaggOptions {
  const issues: string[] = [];
  const int = intFlags(flags, issues);
  const params = int('params', 1_000_000, 1, 100_000_000);
  const sites = int('sites', 10, 2, 1000);
  const threshold = int('threshold', Math.floor(sites / 2) + 1, 1, sites);
  const options: SecaggOptions = {
    params,
    sites,
    threshold,
    paillierParams: Math.min(params, int('paillier-params', 2000, 1, 100_000_000)),
    paillierBits: int('paillier-bits', 2048, 512, 8192),
    trainRows: int('train-rows', 512, 1, 1_000_000),
    bandwidthMbps: int('bandwidth-mbps', 1000, 1, 1_000_000),
    hubBandwidthMbps: int('hub-bandwidth-mbps', 1000, 1, 1_000_000),
    seed: int('seed', 42, 0, 2 ** 32 - 1),
  };
  if (issues.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, `secagg: ${issues.join('; ')}`, { details: { issues } });
  return options;
}
