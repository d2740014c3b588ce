-- 0011_statement_indexes: the two lookups the statement run makes per page of guarantor accounts, which were
-- sequential scans: a page's claims by account number, and the remittance rows of those claims by claim id.
-- bench/README.md (statements at 100,000 accounts) measured the load 2.2x faster with them. The referral and
-- `claims account` reads take the same paths. Plain CREATE INDEX: migrations run in a transaction, and on a
-- large existing ledger this briefly blocks writes to the two tables while the indexes build.
CREATE INDEX claims_account ON claims (account_number);
CREATE INDEX remittance_claims_claim ON remittance_claims (claim_id);
