// Posts a patient payments file (CSV or NDJSON, see payments-file.ts): each row once per reference, in its
// own transaction that first claims the reference in patient_payments and then posts the ledger entry with
// the receivable/credit split of that moment. Same reference and content again: a duplicate; different
// content: rejected. Unknown accounts and bad rows are rejected one by one with their line.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { ClaimsError, toClaimsError } from '../common/errors.ts';
import { sha256File } from '../common/files.ts';
import { withTransaction } from '../runtime/database.ts';
import { postBatchInTransaction } from '../ledger/post.ts';
import { accountBalance } from '../ledger/queries.ts';
import type { Logger } from '../runtime/logger.ts';
import { guarantorAccount, patientPaymentEntry } from './posting-rules.ts';
import { detectPaymentsFormat, PaymentsFileParser, type PatientPayment } from './payments-file.ts';
import { ACCOUNT_EXISTS, INSERT_PAYMENT, LOCK_ACCOUNT, PAYMENT_BY_REFERENCE } from './sql.ts';

/** One row settled: posted, a duplicate of an earlier posting, or rejected with its reason. */
export type PaymentRowOutcome =
  | { line: number; status: 'posted' | 'duplicate'; amountCents: bigint; creditCents: bigint }
  | { line: number; status: 'rejected'; error: ClaimsError };

export interface PaymentsIngestOptions {
  /** Called after each row is settled (committed or rejected), in file order. */
  onRow?(row: PaymentRowOutcome): void | Promise<void>;
}

export interface PaymentsIngestResult {
  file: string;
  fileSha256: string;
  posted: number;
  duplicates: number;
  rejected: ClaimsError[];
  postedCents: bigint;
  creditCents: bigint;
}

/** Is this file a payments file? Reads only its first line. */
export async function isPaymentsFile(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 4095, encoding: 'utf8' });
  let head = '';
  for await (const chunk of stream) head += chunk as string;
  return detectPaymentsFormat(head) !== null;
}

type RowOutcome = 'posted' | 'duplicate';

async function postPayment(client: pg.PoolClient, p: PatientPayment, sha: string, fileName: string): Promise<{ outcome: RowOutcome; creditCents: bigint }> {
  const where = { file: fileName, line: p.line };
  if ((await client.query(ACCOUNT_EXISTS, [p.accountNumber])).rowCount === 0) {
    throw new ClaimsError({ code: 'PAYMENT_ACCOUNT_UNKNOWN', message: `no guarantor account ${p.accountNumber}`, location: { ...where, field: 'account' }, found: p.accountNumber });
  }
  // One payment at a time per account, so the receivable read below is the one the split is made against.
  await client.query(LOCK_ACCOUNT, [p.accountNumber]);
  const receivable = await accountBalance(client, guarantorAccount('patient_receivable', p.accountNumber));
  const entry = patientPaymentEntry(p, receivable, { fileSha256: sha, fileName });
  const credit = -(entry.lines.find((l) => l.account.kind === 'patient_credit')?.amountCents ?? 0n);
  const inserted = await client.query(INSERT_PAYMENT, [
    p.reference, p.accountNumber, p.amountCents.toString(), p.date, p.method, (p.amountCents - credit).toString(), credit.toString(), entry.key, sha, fileName, p.line,
  ]);
  if (inserted.rowCount === 0) {
    const prior = (await client.query<{ account_number: string; amount_cents: string; paid_on: string; method: string }>(PAYMENT_BY_REFERENCE, [p.reference])).rows[0];
    const same = prior && prior.account_number === p.accountNumber && BigInt(prior.amount_cents) === p.amountCents && prior.paid_on === p.date && prior.method === p.method;
    if (same) return { outcome: 'duplicate', creditCents: 0n };
    throw new ClaimsError({
      code: 'PAYMENT_REFERENCE_CONFLICT',
      message: `reference ${p.reference} was already posted with different content`,
      location: { ...where, field: 'reference' },
      expected: prior ? `${prior.account_number} ${prior.amount_cents} cents on ${prior.paid_on} by ${prior.method}` : 'the posted payment',
      found: `${p.accountNumber} ${p.amountCents} cents on ${p.date} by ${p.method}`,
    });
  }
  await postBatchInTransaction(client, { key: entry.key, entries: [entry] });
  return { outcome: 'posted', creditCents: credit };
}

export async function ingestPaymentsFile(pool: pg.Pool, file: string, logger: Logger, opts: PaymentsIngestOptions = {}): Promise<PaymentsIngestResult> {
  const fileName = path.basename(file);
  const fileSha256 = await sha256File(file);
  const result: PaymentsIngestResult = { file, fileSha256, posted: 0, duplicates: 0, rejected: [], postedCents: 0n, creditCents: 0n };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  let parser: PaymentsFileParser | null = null;
  let head = '';
  const settle = async (rows: ReturnType<PaymentsFileParser['push']>): Promise<void> => {
    for (const row of rows) {
      if (!row.ok) {
        result.rejected.push(row.error);
        await opts.onRow?.({ line: row.error.location.line ?? 0, status: 'rejected', error: row.error });
        continue;
      }
      try {
        const { outcome, creditCents } = await withTransaction(pool, (client) => postPayment(client, row.payment, fileSha256, fileName));
        if (outcome === 'posted') {
          result.posted += 1;
          result.postedCents += row.payment.amountCents;
          result.creditCents += creditCents;
        } else result.duplicates += 1;
        await opts.onRow?.({ line: row.payment.line, status: outcome, amountCents: row.payment.amountCents, creditCents });
      } catch (err) {
        const e = toClaimsError(err, { file: fileName, line: row.payment.line });
        if (e.code === 'INTERNAL' || e.code.startsWith('LEDGER') || e.code.startsWith('DATABASE')) throw err;
        result.rejected.push(e);
        await opts.onRow?.({ line: row.payment.line, status: 'rejected', error: e });
      }
    }
  };
  // The reading loop awaits each chunk's postings before pulling the next: backpressure by construction.
  for await (const chunk of stream) {
    if (!parser) {
      head += chunk as string;
      if (!head.includes('\n') && head.length < 4096) continue;
      const format = detectPaymentsFormat(head);
      if (!format) throw new ClaimsError({ code: 'PAYMENTS_HEADER_UNRECOGNISED', message: 'not a payments file: the first row does not name account, amount, date, method and reference', location: { file: fileName, line: 1 } });
      parser = new PaymentsFileParser(format, fileName);
      await settle(parser.push(head));
      continue;
    }
    await settle(parser.push(chunk as string));
  }
  if (!parser) {
    const format = detectPaymentsFormat(head);
    if (!format) throw new ClaimsError({ code: 'PAYMENTS_HEADER_UNRECOGNISED', message: 'not a payments file', location: { file: fileName, line: 1 } });
    parser = new PaymentsFileParser(format, fileName);
    await settle(parser.push(head));
  }
  await settle(parser.end());
  logger.info({ file: fileName, posted: result.posted, duplicates: result.duplicates, rejected: result.rejected.length }, 'payments file settled');
  return result;
}
