/** `npm start -- --help`. */
export const HELP_TEXT = `Consilium demo: a whole federated study on this machine.

Starts a hub and one agent process per hospital over HTTP on loopback, runs the study
(key ceremony, encrypted statistics round, encrypted training rounds, evaluations), shows its
progress live, then compares the final federated model with a centralized model trained by
the same code on the pooled data.

Usage:
  npm start                                      the synthetic four-hospital study
  npm start -- --study spec.json --site NAME=path.csv --site NAME=path.csv [...]

Options:
  --study <spec.json>      your own study spec (needs at least two --site)
  --site <NAME=path.csv>   a site and its data file (repeat per site)
  --out <result.json>      write the final metrics (federated and centralized) as JSON
  --plaintext              run without secure aggregation (for benchmarks)
  --keep                   keep the hub database and agent directories too
  -h, --help               this text

Environment:
  DATABASE_URL             run the hub on PostgreSQL instead of embedded PGlite
  CONSILIUM_ADMIN_TOKEN    admin token of a PostgreSQL database set up by an earlier hub

Everything is written under .consilium/demo/<timestamp>/: data/ (synthetic CSVs), logs/
(one log file per process). Data and logs are kept; the hub database and the agents'
directories (identity keys, key shares) are removed unless --keep is given.
`;
