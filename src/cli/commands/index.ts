// Every command the binary knows. Add one import and one array entry per command module.
import type { Command } from '../command.ts';
import { runCommand } from './run.ts';
import { schemasCommand } from './schemas.ts';
import { dbCommand } from './db.ts';
import { ingestCommand } from './ingest.ts';
import { reportCommand } from './report.ts';
import { inspectCommand } from './inspect.ts';
import { submitCommand } from './submit.ts';
import { eligibilityCommand } from './eligibility.ts';
import { eligibilityRequestsCommand } from './eligibility-requests.ts';
import { statementsCommand } from './statements.ts';
import { accountCommand } from './account.ts';
import { plansCommand } from './plans.ts';
import { ledgerCommand } from './ledger.ts';
import { referralsCommand } from './referrals.ts';
import { auditCommand } from './audit.ts';
import { practicesCommand } from './practices.ts';
import { payerRefundCommand } from './payer-refund.ts';

export const commands: Command[] = [
  runCommand,
  schemasCommand,
  dbCommand,
  ingestCommand,
  reportCommand,
  inspectCommand,
  submitCommand,
  eligibilityCommand,
  eligibilityRequestsCommand,
  statementsCommand,
  accountCommand,
  plansCommand,
  ledgerCommand,
  referralsCommand,
  auditCommand,
  practicesCommand,
  payerRefundCommand,
];
