/** `npm start -- --help`. */
export const HELP_TEXT = `Consilium demo: a whole federated study on this machine.

Starts a hub and one agent process per hospital over HTTP on loopback, runs the study
(key ceremony, encrypted statistics round, encrypted training rounds, evaluations), shows its
progress live, then compares the final federated model with a centralized model trained by
the same code on the pooled data.

It also serves the portal (apps/portal, built with \`next build\` on first use) against the same
hub, with the demo study in it, and prints its URL and a consortium administrator's login:
e-mail and ONE-TIME password (printed once, when the account is made; the portal asks for a
new password at first sign-in). After the report, hub and portal keep running until Ctrl-C.

Usage:
  npm start                                      the synthetic four-hospital study
  npm start -- --study spec.json --site NAME=path.csv --site NAME=path.csv [...]

Options:
  --study <spec.json>      your own study spec (needs at least two --site)
  --site <NAME=path.csv>   a site and its data file (repeat per site)
  --out <result.json>      write the final metrics (federated and centralized) as JSON
  --plaintext              run without secure aggregation (for benchmarks)
  --keep                   keep the hub database and agent directories too
  --no-portal              no portal: run the study, print the report and exit
  --portal-port <port>     the portal's port (default 3000; another free one if taken)
  --rebuild-portal         run \`next build\` even if the portal's build looks up to date
  -h, --help               this text

Environment:
  DATABASE_URL             run the hub on PostgreSQL instead of embedded PGlite
  CONSILIUM_ADMIN_TOKEN    admin token of a PostgreSQL database set up by an earlier hub
  CONSILIUM_PORTAL_PORT    the portal's port (--portal-port wins)

Everything is written under .consilium/demo/<timestamp>/: data/ (synthetic CSVs), logs/
(one log file per process). Data and logs are kept; the agents' directories (identity keys,
key shares) are removed unless --keep is given. With the portal, the hub database is
.consilium/demo/portal-hub/, kept from run to run (the administrator account and earlier
demo studies with it; delete it to start over). With --no-portal each run has its own hub
database, removed unless --keep is given.
`;
