// The stage registry: every stage a pipeline file may name. Add one import and one entry per stage;
// `claims schemas write` then publishes its settings in schemas/pipeline.schema.json.
// Still to come (later issues): submit (837 out), ingest (835/271/payment files in), statements,
// referrals, reconcile.
import type { Stage } from '../stage.ts';
import { ledgerSnapshot } from './ledger-snapshot.ts';
import { statementsStage } from './statements.ts';
import { submitStage } from './submit.ts';
import { ingest } from './ingest.ts';
import { referralsStage } from './referrals.ts';

export const stages: Stage[] = [ledgerSnapshot, submitStage, statementsStage, ingest, referralsStage];

export function findStage(name: string): Stage | undefined {
  return stages.find((s) => s.name === name);
}
