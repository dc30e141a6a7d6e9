import { CkksParams } from '@consilium/schemas';
import type { BenchContext, BenchResult } from '../bench-context.ts';
import { measureCkksRound } from './ckks-round.ts';
import { machine, sampleMemory } from './measure.ts';
import { parseSecaggOptions } from './options.ts';
import { measurePaillierRound } from './paillier-round.ts';
import { measurePlaintextRound } from './plaintext-round.ts';
import { componentsTable, figuresTable, schemeFigures } from './report.ts';
import { ROUND_MODEL, roundTime } from './round-model.ts';
import type { Network } from './round-model.ts';
import { targetsOf } from './targets.ts';
import { measureSiteAlone } from './site-alone.ts';
import { expectedMean, MAX_ABS_PARAMETER, roundData } from './updates.ts';

export { secaggHelp, secaggOptions } from './options.ts';

/**
 * One FedAvg round of `--params` parameters from `--sites` sites, measured for real on this machine
 * under multiparty CKKS, in plaintext and under Paillier, on the same update vectors; then each
 * scheme's round time from those measurements under one stated deployment model.
 */
export async function secagg(ctx: BenchContext): Promise<BenchResult> {
  const options = parseSecaggOptions(ctx.flags);
  const { params, sites } = options;
  const data = roundData(params, sites, options.seed);
  const expected = expectedMean(data);
  const network: Network = { siteMbps: options.bandwidthMbps, hubMbps: options.hubBandwidthMbps };
  const log = (line: string): void => ctx.log(line);
  log(`${params} parameters, ${sites} sites (weights ${data.numExamples.join(', ')} rows), threshold ${options.threshold}`);
  const memoryAtStart = sampleMemory();
  const machineAtStart = machine();

  const ckks = await measureCkksRound(data, { threshold: options.threshold, params: CkksParams.parse({}) }, expected, log);
  const plaintext = measurePlaintextRound(data, expected, log);
  const paillier = await measurePaillierRound(data, options.paillierParams, options.paillierBits, expected, log);
  log(`site process: one local epoch of a ${params}-parameter MLP, then encrypting its update`);
  const site = await measureSiteAlone({ params, sites, trainRows: options.trainRows, seed: options.seed });
  const { training, ...siteAlone } = site;
  log(`site process: training ${training.measured_s.toFixed(2)} s on ${training.backend}, encryption ${site.encrypt_s.toFixed(2)} s, peak RSS ${mib(site.peak_rss_bytes)}`);
  const memoryAtEnd = sampleMemory();
  const machineAtEnd = machine();

  const plainRound = roundTime(plaintext.costs, sites, training.train_s, network, { decryptorRecheck: false });
  const plainFigures = schemeFigures(plaintext.costs, params, plainRound, plainRound);
  const ckksRound = roundTime(ckks.costs, sites, training.train_s, network, { decryptorRecheck: true });
  const ckksFigures = schemeFigures(ckks.costs, params, ckksRound, plainRound);
  // Paillier here has one private-key holder and no check against being used as an oracle.
  const paillierFigures = schemeFigures(paillier.costs, params, roundTime(paillier.costs, sites, training.train_s, network, { decryptorRecheck: false }), plainRound);
  const ckksUnchecked = roundTime(ckks.costs, sites, training.train_s, network, { decryptorRecheck: false });
  const memorySteps = ckks.json.hub_memory_by_sites_added;

  const json = {
    params,
    sites,
    committee_size: sites,
    threshold: ckks.costs.decryptors,
    seed: options.seed,
    max_abs_parameter: MAX_ABS_PARAMETER,
    machine: { ...machineAtStart, load_average_1m_at_end: machineAtEnd.load_average_1m },
    network_mbps: { site: network.siteMbps, hub: network.hubMbps },
    round_model: ROUND_MODEL,
    training,
    ckks: {
      ...ckksFigures,
      hub_memory_independent_of_sites: memorySteps.every((step) => step.accumulator_bytes === memorySteps[0]!.accumulator_bytes),
      ...ckks.json,
      // The round without the decryptors' no-oracle check (a deployment that trusted the hub not to
      // ask for a decryption of anything but a full sum): what that check costs.
      without_decryptor_recheck: {
        round_time_s: ckksUnchecked.total_s,
        round_time_ratio_vs_plaintext: ckksUnchecked.total_s / plainRound.total_s,
      },
    },
    plaintext: { ...plainFigures, upload_format: 'float32', ...plaintext.json },
    paillier: { ...paillierFigures, ...paillier.json },
    // One site alone in its own process: the memory a site needs, not mixed with the hub's or the other sites'.
    site_process: siteAlone,
    memory: { at_start: memoryAtStart, at_end: memoryAtEnd },
    targets: targetsOf(ckksFigures, memorySteps, site.peak_rss_bytes),
    notes: notes(options.paillierParams < params, training.model_params !== params),
  };

  const rows: Array<[string, typeof plainFigures]> = [
    ['plaintext', plainFigures],
    ['ckks', ckksFigures],
    ['paillier', paillierFigures],
  ];
  const failed = Object.entries(json.targets).filter(([, met]) => !met).map(([name]) => name);
  const text = [
    `${params} parameters, ${sites} sites, CKKS threshold ${json.threshold} of ${sites}; links ${network.siteMbps} Mbit/s per site, ${network.hubMbps} Mbit/s at the hub`,
    figuresTable(rows),
    '',
    componentsTable(rows),
    '',
    `training: ${training.model_params}-parameter MLP (${training.input_dim} inputs, ${training.model.type === 'mlp' ? training.model.hiddenUnits.join('×') : 0} hidden), one epoch of ${training.rows} rows, batch ${training.config.batchSize}, ${training.backend}: ${training.measured_s.toFixed(2)} s`,
    `paillier: ${paillier.json.modulus_bits}-bit, ${paillier.json.packing.valuesPerCiphertext} values per ciphertext; measured on ${paillier.json.measured_params} parameters per site${paillier.json.extrapolated ? `, extrapolated to ${params}` : ''}`,
    `ckks hub accumulator after 1 and ${sites} sites: ${memorySteps[0]!.accumulator_bytes} and ${memorySteps.at(-1)!.accumulator_bytes} bytes; peak RSS ${mib(ckks.json.peak_rss_bytes)} with every site and the hub in one process`,
    `one site in its own process (train, encode, encrypt): peak RSS ${mib(site.peak_rss_bytes)} (${mib(site.rss_after_training_bytes)} after training)`,
    `ckks encryption: ${(ckks.json.encrypt_params_per_cpu_s / 1e6).toFixed(2)} M params per CPU second; this process had ${ckks.json.encrypt_cpu_per_wall.toFixed(2)} CPU s per wall s while encrypting`,
    ...(Math.max(machineAtStart.load_average_1m, machineAtEnd.load_average_1m) > machineAtStart.cpus
      ? [`WARNING: load average ${machineAtStart.load_average_1m.toFixed(1)} → ${machineAtEnd.load_average_1m.toFixed(1)} on ${machineAtStart.cpus} CPUs: other work shared this machine and slowed every timing`]
      : []),
    `ckks round without the decryptors' recheck of every submission (no protection against a decryption oracle): ${ckksUnchecked.total_s.toFixed(2)} s (${json.ckks.without_decryptor_recheck.round_time_ratio_vs_plaintext.toFixed(2)}×)`,
    failed.length === 0 ? 'all targets met' : `targets missed: ${failed.join(', ')}`,
  ].join('\n');
  return { json, text };
}

function notes(paillierExtrapolated: boolean, trainingScaled: boolean): string[] {
  return [
    'Every time is measured on this machine, one core per party: sites and hub run one after another in this process and each one\'s work is timed on its own.',
    'encrypt_params_per_s includes the FedAvg encoding of the update; hub_add_params_per_s is the addition alone, hub_ingest_params_per_s includes validating every submission.',
    'plaintext uploads float32 (4 B/param), as the baseline asks; the platform\'s plaintext studies upload float64 (8 B/param) today.',
    'paillier: one private-key holder decrypts (no threshold decryption, which favours Paillier); partial_decrypt_s_per_1e6_params is that full decryption.',
    ...(paillierExtrapolated ? ['paillier: per-ciphertext times are measured on paillier.measured_params parameters per site and multiplied by the ciphertexts of the full vector.'] : []),
    'training and site_process: one site alone in a child process (training, then encoding and encrypting its update), so its peak RSS is a site\'s own.',
    ...(trainingScaled ? ['training: measured on training.model_params parameters and scaled linearly to params.'] : []),
    'max_abs_error: decoded weighted mean in float64 vs the float64 weighted mean, before the model\'s float32 cast.',
    'The target encrypted round ≤ 1.2× plaintext is for the fed-heart and 10^6-parameter cases; fed-heart is measured by `npm run bench -- fed-heart`.',
  ];
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
