// The stage registry: every stage a pipeline file may name. Add one import and one entry per stage;
// `claims schemas write` then publishes its settings in schemas/pipeline.schema.json.
import type { Stage } from '../stage.ts';
import { ledgerSnapshot } from './ledger-snapshot.ts';
import { statementsStage } from './statements.ts';
import { submitStage } from './submit.ts';
import { ingest } from './ingest.ts';
import { referralsStage } from './referrals.ts';
import { eligibilityRequestsStage } from './eligibility-requests.ts';

export const stages: Stage[] = [ledgerSnapshot, submitStage, statementsStage, ingest, referralsStage, eligibilityRequestsStage];

export function findStage(name: string): Stage | undefined {
  return stages.find((s) => s.name === name);
}
