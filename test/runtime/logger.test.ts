import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ClaimsError } from '../../src/common/errors.ts';
import { createLogger } from '../../src/runtime/logger.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => text, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

// Synthetic patient: invented name, member id, birth date and address.
const PATIENT = {
  firstName: 'Wilhelmina', lastName: 'Quasarfield', memberId: 'XQZ90817263', birthDate: '1961-07-04',
  address: { street: '4417 Imaginary Orchard Rd', city: 'Nowhereton', postalCode: '99999' },
};
const SECRETS = ['Wilhelmina', 'Quasarfield', 'XQZ90817263', '1961-07-04', '4417 Imaginary Orchard Rd', 'Nowhereton', '99999'];

describe('logger redaction', () => {
  it('keeps names, member ids, birth dates and addresses out of the log at any usual depth', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream }).child({ runId: '12', stage: 'ingest' });
    log.info({ ...PATIENT, claimId: 'CLM-0001' }, 'top level');
    log.info({ claim: { id: 'CLM-0002', subscriber: PATIENT, patient: PATIENT } }, 'nested objects');
    log.info({ remittance: { claims: [{ patientName: 'Quasarfield, Wilhelmina', dob: '1961-07-04', subscriberId: 'XQZ90817263' }] } }, 'in arrays');
    log.warn({ segment: 'NM1*IL*1*QUASARFIELD*WILHELMINA****MI*XQZ90817263', segmentIndex: 14 }, 'raw segment');
    const err = new ClaimsError({ code: 'ELIGIBILITY_UNMATCHED', message: 'member id not on file', found: 'XQZ90817263', location: { segmentIndex: 9 } });
    log.error({ err }, 'an error quoting its input');

    const text = out.text();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text.toUpperCase()).not.toContain('QUASARFIELD');

    const [top, nested, arrays, raw, error] = out.lines();
    // What is not patient data stays, so the log is still useful.
    expect(top).toMatchObject({ runId: '12', stage: 'ingest', claimId: 'CLM-0001', lastName: '[redacted]', memberId: '[redacted]', birthDate: '[redacted]', address: '[redacted]' });
    expect(nested).toMatchObject({ claim: { id: 'CLM-0002', subscriber: '[redacted]', patient: '[redacted]' } });
    expect(arrays).toMatchObject({ remittance: { claims: [{ patientName: '[redacted]', dob: '[redacted]', subscriberId: '[redacted]' }] } });
    expect(raw).toMatchObject({ segment: '[redacted]', segmentIndex: 14 });
    expect(error).toMatchObject({ err: { code: 'ELIGIBILITY_UNMATCHED', found: '[redacted]', message: 'member id not on file', location: { segmentIndex: 9 } } });
  });

  it('redacts fields four levels down', () => {
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).info({ a: { b: { c: { lastName: 'Quasarfield' } } } }, 'deep');
    expect(out.lines()[0]).toMatchObject({ a: { b: { c: { lastName: '[redacted]' } } } });
  });
});
