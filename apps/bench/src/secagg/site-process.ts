/**
 * One site on its own, run as a child process by site-alone.ts so that its peak RSS is a site's
 * alone: local training of a model of about `params` parameters, then its FedAvg update encoded,
 * encrypted and packed to the wire format as a stream (each ciphertext dropped once counted, as a socket would send it). Prints
 * one JSON line: a SiteAloneResult.
 */
import { createCkksContext, chooseScaleBits, packCiphertext } from '@consilium/secagg';
import { CkksParams } from '@consilium/schemas';
import { encryptChunks, runKeyCeremony } from './ckks-protocol.ts';
import { sampleMemory, timed } from './measure.ts';
import { SiteAloneInput } from './site-alone.ts';
import type { SiteAloneResult } from './site-alone.ts';
import { measureTraining } from './training.ts';
import { encodeSite, MAX_ABS_PARAMETER, roundData, siteUpdate } from './updates.ts';

const input = SiteAloneInput.parse(JSON.parse(process.argv[2] ?? 'null'));
const training = await measureTraining(input.params, input.trainRows, input.seed);
const rssAfterTraining = sampleMemory().rss_bytes;

const ctx = await createCkksContext(CkksParams.parse({}));
// The key is not what is measured: a one-member ceremony gives a key of the same size.
const { publicKey } = runKeyCeremony(ctx, 1, 1);
const data = roundData(input.params, input.sites, input.seed);
const update = siteUpdate(data, 0);
const encoded = timed(() => encodeSite(data, update));
let uploadBytes = 0;
const scaleBits = chooseScaleBits(ctx, MAX_ABS_PARAMETER);
const encrypted = timed(() => {
  // Packed to the wire format, as the agent uploads it.
  for (const ciphertext of encryptChunks(ctx, publicKey, encoded.value, scaleBits)) uploadBytes += packCiphertext(ctx, ciphertext, scaleBits).length;
});
ctx.dispose();

const result: SiteAloneResult = {
  training,
  encode_s: encoded.wallS,
  encrypt_s: encrypted.wallS,
  upload_bytes: uploadBytes,
  rss_after_training_bytes: rssAfterTraining,
  peak_rss_bytes: sampleMemory().peak_rss_bytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
