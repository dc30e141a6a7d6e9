/**
 * @consilium/secagg: multiparty CKKS secure aggregation on node-seal.
 *
 * Committee members run a key ceremony (secret shares, public key shares combined into one
 * collective public key) and deal Shamir shares of their secrets to each other, so that any t of
 * them can decrypt (threshold-keys.ts). Sites encrypt their updates under the collective key, two
 * values per CKKS slot (complex-packing.ts); the hub adds ciphertexts it cannot read, and t members'
 * partial decryptions are needed to decode the aggregate. Bytes that cross the network are checked
 * by strict parsers before SEAL sees them.
 */
export { loadSeal, sealHeapBytes } from './seal-module.ts';
export type { SealModule } from './seal-module.ts';
export type { CkksParameters } from './parameters.ts';
export { createCkksContext, rnsLevels } from './context.ts';
export type { CkksContext } from './context.ts';
export { chooseScaleBits, chunkCount, maxEncodableMagnitude, HEADROOM_BITS, MIN_PRECISION_BITS } from './scale.ts';
export {
  generateSecretShare,
  createPublicKeyShare,
  validatePublicKeyShare,
  combinePublicKeyShares,
  validatePublicKey,
} from './key-ceremony.ts';
export { dealShamirShares, validateDealtShare, combineDealtShares, reshareKeyShare } from './threshold-keys.ts';
export type { DealingOptions, CombineOptions, ReshareOptions } from './threshold-keys.ts';
export { encryptVector, encryptVectorChunks } from './encryption.ts';
export type { EncryptOptions } from './encryption.ts';
export { validateCiphertext, addCiphertexts } from './aggregation.ts';
export { createPartialDecryptor, partialDecrypt } from './partial-decryptor.ts';
export type { DecryptorSetOptions, PartialDecryptor } from './partial-decryptor.ts';
export { validateDecryptionShare, addDecryptionShares, decodeAggregate, decodeChunks } from './decryption.ts';
export type { DecryptionShareExpectation } from './decryption.ts';
export { sampleDiscreteGaussian, KEY_NOISE_SIGMA, TAIL_CUT_SIGMAS } from './noise.ts';
export { expandCrp, crpSeedBinding, CRP_SEED_BYTES } from './crp.ts';
export * from './serialization.ts';
export { ShareKind, SHARE_MAGIC, SHARE_FORMAT_VERSION, SHARE_HEADER_BYTES, MAX_POINT, shareByteLength, buildShare, parseShare } from './share-format.ts';
export type { ParsedShare } from './share-format.ts';
export { toPrime } from './rns.ts';
export type { Prime, RnsLevel } from './rns.ts';
export { packCiphertext, expandCiphertext, readWireCiphertext, addWireCiphertext, wireCiphertextBytes, type WireCiphertext } from './wire-format.ts';
