// The posting-batch file (`claims ledger post BATCH.json`): a PostingBatch as JSON, amounts as strings
// of cents ("12345", "-500") so that no amount ever passes through a float. Used by crash tests and by
// analysts for manual corrections. The zod schema is the contract; every problem is reported at once.
import { z } from 'zod';
import { ClaimsError } from '../common/errors.ts';
import { ACCOUNT_KINDS, type PostingBatch } from './types.ts';

const id = z.string().min(1).max(200);
const optionalId = id.nullish();

const AccountRefSchema = z.strictObject({
  kind: z.enum(ACCOUNT_KINDS),
  payerId: optionalId,
  patientId: optionalId,
  practiceId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/).nullish().describe('The practice whose books hold the account; absent: the batch\'s.'),
});

const EntryLineSchema = z.strictObject({
  account: AccountRefSchema,
  amountCents: z.string().regex(/^-?\d{1,19}$/, 'cents as a string of digits, e.g. "12345" or "-500"').describe('Signed integer cents as a string: debits positive, credits negative.'),
  reason: optionalId,
  claimId: optionalId,
  serviceLineId: optionalId,
});

const SourceRefSchema = z.strictObject({
  fileSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  fileName: z.string().min(1).max(1000).optional(),
  interchange: z.string().min(1).max(20).optional(),
  group: z.string().min(1).max(20).optional(),
  set: z.string().min(1).max(20).optional(),
  segmentIndex: z.number().int().min(0).optional(),
});

const EntrySchema = z.strictObject({
  key: id,
  reason: id,
  effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
  memo: z.string().min(1).max(1000).optional(),
  source: SourceRefSchema.optional(),
  lines: z.array(EntryLineSchema).min(1),
});

export const PostingBatchFileSchema = z.strictObject({
  key: id.describe('The idempotency key of the batch: posting the same key and content again changes nothing.'),
  practiceId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/).optional().describe('The practice of the accounts that do not name one; absent: "default".'),
  entries: z.array(EntrySchema),
}).describe('A ledger posting batch: entries whose lines each sum to zero, posted all or nothing.');

export type PostingBatchFile = z.infer<typeof PostingBatchFileSchema>;

/** Parse the JSON text of a batch file into a PostingBatch (amounts as bigint cents). */
export function parsePostingBatchFile(text: string, file: string): PostingBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ClaimsError({ code: 'LEDGER_BATCH_FILE_INVALID', message: `${file} is not JSON: ${(err as Error).message}`, location: { file } });
  }
  const parsed = PostingBatchFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = parsed.error.issues.length > 20 ? `\n  ... and ${parsed.error.issues.length - 20} more` : '';
    throw new ClaimsError({
      code: 'LEDGER_BATCH_FILE_INVALID',
      message: `${file} is not a posting batch:\n  ${problems.join('\n  ')}${more}`,
      location: { file, field: parsed.error.issues[0]?.path.join('.') },
    });
  }
  const b = parsed.data;
  return {
    key: b.key,
    ...(b.practiceId !== undefined && { practiceId: b.practiceId }),
    entries: b.entries.map((e) => ({
      key: e.key,
      reason: e.reason,
      effectiveDate: e.effectiveDate,
      ...(e.memo !== undefined && { memo: e.memo }),
      ...(e.source !== undefined && { source: e.source }),
      lines: e.lines.map((l) => ({
        account: {
          kind: l.account.kind, payerId: l.account.payerId ?? null, patientId: l.account.patientId ?? null,
          ...(l.account.practiceId != null && { practiceId: l.account.practiceId }),
        },
        amountCents: BigInt(l.amountCents),
        ...(l.reason != null && { reason: l.reason }),
        ...(l.claimId != null && { claimId: l.claimId }),
        ...(l.serviceLineId != null && { serviceLineId: l.serviceLineId }),
      })),
    })),
  };
}

/** The batch as file JSON (amounts as strings): the inverse of parsePostingBatchFile. */
export function postingBatchFileJson(batch: PostingBatch): PostingBatchFile {
  return {
    key: batch.key,
    ...(batch.practiceId !== undefined && { practiceId: batch.practiceId }),
    entries: batch.entries.map((e) => ({
      key: e.key,
      reason: e.reason,
      effectiveDate: e.effectiveDate,
      ...(e.memo !== undefined && { memo: e.memo }),
      ...(e.source !== undefined && { source: e.source }),
      lines: e.lines.map((l) => ({
        account: {
          kind: l.account.kind, payerId: l.account.payerId ?? null, patientId: l.account.patientId ?? null,
          ...(l.account.practiceId != null && { practiceId: l.account.practiceId }),
        },
        amountCents: l.amountCents.toString(),
        ...(l.reason != null && { reason: l.reason }),
        ...(l.claimId != null && { claimId: l.claimId }),
        ...(l.serviceLineId != null && { serviceLineId: l.serviceLineId }),
      })),
    })),
  };
}
