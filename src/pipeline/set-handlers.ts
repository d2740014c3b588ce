// The intake's handler list: which handler takes which X12 transaction set. `claims ingest` and the
// `ingest` stage hand each ST..SE a file holds to the handler registered here for its ST01 (and GS01).
// To add a set: write a SetHandler (src/exchange/set-handler.ts) beside its flow and add it below.
import type { SetHandler } from '../exchange/set-handler.ts';
import { remittanceHandler } from '../remittances/handler.ts';
import { eligibilityHandler } from '../eligibility/handler.ts';
import { ack999Handler } from '../claims/ack-999.ts';
import { ack277caHandler } from '../claims/ack-277ca.ts';

export const SET_HANDLERS: readonly SetHandler[] = [remittanceHandler, eligibilityHandler, ack999Handler, ack277caHandler];
