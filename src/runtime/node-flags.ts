// The V8 flags the `claims` command runs with: bin/claims.mjs's first line, the npm scripts and the test
// and benchmark launchers all pass these (a unit test keeps them equal). A batch run allocates millions
// of short-lived objects per file (segments, records, ledger lines, COPY text); V8's default young
// generation (16 MB semi-spaces) promotes many of them to the old generation before they die, and the
// collector's time goes with it. 64 MB semi-spaces cut node's CPU time of an 835 ingest by 15 to 23% for
// about 100 to 200 MB more peak RSS (docs/decisions/0055-overlapped-remittances-and-young-generation.md).
// They are startup flags: a running process cannot change them, so they live where node is started.
export const CLAIMS_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
