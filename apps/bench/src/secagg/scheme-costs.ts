/**
 * What one scheme's measured round gives the report and the round-time model, for the full
 * parameter count. Times are single-core seconds measured on this machine; bytes are serialized sizes.
 */
export interface SchemeCosts {
  /** Bytes one site uploads for its update. */
  uploadBytesPerSite: number;
  /** One site's encode + encrypt (plaintext: encode + serialize): the median over the sites. */
  siteEncodeS: number;
  /** Parameters a site encodes and encrypts per second (FedAvg encoding included). */
  encryptParamsPerS: number;
  /** The hub's validate + add of every site's submission. */
  hubIngestS: number;
  /** Parameters the hub adds into its accumulator per second, validation excluded and included. */
  hubAddParamsPerS: number;
  hubIngestParamsPerS: number;
  /** The hub's accumulator for the whole round. */
  hubMemoryBytes: number;
  /** Parties that decrypt (0: none, plaintext). */
  decryptors: number;
  /** Bytes each decryptor downloads (the aggregate) and uploads (its decryption share). */
  aggregateBytes: number;
  shareBytes: number;
  /** One decryptor's decryption of the aggregate, median over the decryptors (they work in parallel). */
  partialDecryptS: number;
  /** From the decryption shares (or the plaintext sum) to the averaged model. */
  combineS: number;
  /** Largest |decoded weighted mean − float64 weighted mean| over the parameters. */
  maxAbsError: number;
}
