import type { SchemeCosts } from './scheme-costs.ts';

/** Links of the modelled deployment, in Mbit/s. */
export interface Network {
  siteMbps: number;
  /** The hub's link: every upload shares it, and so does every download it serves. */
  hubMbps: number;
}

/** One round's time, component by component, in seconds; `total_s` is their sum. */
export interface RoundTime {
  local_training_s: number;
  site_encode_encrypt_s: number;
  upload_s: number;
  hub_ingest_s: number;
  aggregate_download_s: number;
  /** Each decryptor's check that the aggregate is the sum of the round's submissions (CKKS only). */
  decryptor_recheck_s: number;
  partial_decrypt_s: number;
  share_upload_s: number;
  combine_s: number;
  total_s: number;
  /** total_s without local_training_s. */
  crypto_only_s: number;
}

export const ROUND_MODEL = [
  'sites work in parallel on their own machines: local training + encode/encrypt of one site (the median of the measured sites: they do the same work)',
  'uploads: every site at once over its own link, all of them through the hub link: max(bytes/site link, sites·bytes/hub link)',
  'hub ingest: one hub core validates and adds every submission (measured, not overlapped with the uploads)',
  'decryption: the hub sends the aggregate to the t decryptors (t·aggregate bytes over the hub link); before decrypting, each downloads every submission (t·sites·upload bytes over the hub link) and validates and re-adds them (what the hub\'s ingest cost), the no-decryption-oracle check; they decrypt in parallel (the median decryptor\'s measured time), and send their shares back (t·share bytes)',
  'combine: the hub checks and sums the shares, decodes and divides by the summed weight',
  'not counted (the same for every scheme, or once per study): publishing the model to the sites, the key ceremony, latency',
].join('; ');

/** Seconds to move `bytes` through one link of `mbps`. */
function transfer(bytes: number, mbps: number): number {
  return (bytes * 8) / (mbps * 1e6);
}

export function roundTime(costs: SchemeCosts, sites: number, trainS: number, network: Network, options: { decryptorRecheck: boolean }): RoundTime {
  const parties = costs.decryptors;
  const viaHub = (perParty: number, count: number): number => Math.max(transfer(perParty, network.siteMbps), transfer(count * perParty, network.hubMbps));
  const parts = {
    local_training_s: trainS,
    site_encode_encrypt_s: costs.siteEncodeS,
    upload_s: viaHub(costs.uploadBytesPerSite, sites),
    hub_ingest_s: costs.hubIngestS,
    aggregate_download_s: parties > 0 ? viaHub(costs.aggregateBytes, parties) : 0,
    decryptor_recheck_s: options.decryptorRecheck ? decryptorRecheckS(costs, sites, network) : 0,
    partial_decrypt_s: costs.partialDecryptS,
    share_upload_s: parties > 0 ? viaHub(costs.shareBytes, parties) : 0,
    combine_s: costs.combineS,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, total_s: total, crypto_only_s: total - trainS };
}

/**
 * What each decryptor's check that the aggregate is the sum of the round's submissions adds (the
 * protocol's no-decryption-oracle check, packages/keyholder): download all of them (t copies through
 * the hub's link) and validate + re-add them, which costs what the hub's ingest did.
 */
function decryptorRecheckS(costs: SchemeCosts, sites: number, network: Network): number {
  const perDecryptor = sites * costs.uploadBytesPerSite;
  return Math.max(transfer(perDecryptor, network.siteMbps), transfer(costs.decryptors * perDecryptor, network.hubMbps)) + costs.hubIngestS;
}
