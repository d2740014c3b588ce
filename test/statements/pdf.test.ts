// The PDF is real: render it, rasterise a page with poppler's pdftoppm, and read the key figures back with pdftotext.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildStatement } from '../../src/statements/model.ts';
import { parseStatementSettings } from '../../src/statements/settings.ts';
import { statementPdf } from '../../src/statements/pdf.ts';
import { accountInput, claim } from './fixtures.ts';

const settings = parseStatementSettings({});

describe('statement PDF', () => {
  it('renders a page image and carries the figures as text', async () => {
    const input = accountInput({
      claims: [
        claim({ claimId: 'C-1' }),
        claim({ claimId: 'C-2', serviceDate: '2025-02-02', chargeCents: 123_456n, insurancePaidCents: 100_000n, adjustmentsCents: 20_000n, patientResponsibilityCents: 3456n }),
      ],
      // PR 20.00 + 34.56 = 54.56
      patientReceivableCents: 5456n,
    });
    const pdf = await statementPdf(buildStatement(input, settings));
    const dir = mkdtempSync(path.join(tmpdir(), 'stmt-pdf-'));
    try {
      const file = path.join(dir, 's.pdf');
      writeFileSync(file, pdf);
      execFileSync('pdftoppm', ['-png', '-r', '30', '-f', '1', '-l', '1', file, path.join(dir, 'page')]);
      const png = readFileSync(path.join(dir, 'page-1.png'));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toMatch(/Amount due\s+\$54\.56/);
      expect(text).toContain('G-2001');
      expect(text).toContain('$1,234.56');
      expect(text).toContain('Lakeside, OR 97401');
      expect(text).toContain('Please detach and return this portion with your payment.');
      expect(text).toContain('Financial assistance is available.');
      expect(text).toContain('Office visit, established patient');
      expect(text).toContain('Mon-Fri 8:00 am - 5:00 pm');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a name written beyond WinAnsi as written, embedding a font only then', async () => {
    const ascii = await statementPdf(buildStatement(accountInput(), settings));
    expect(ascii.toString('latin1')).not.toContain('/FontFile2');
    const s = buildStatement(accountInput({ guarantor: { name: 'Łukasz Nguye\u0302\u0303n', address: { line1: '7 Sample Lane', city: 'Lakeside', state: 'OR', postalCode: '97401' } } }), settings);
    const pdf = await statementPdf(s);
    expect(pdf.toString('latin1')).toContain('/FontFile2');
    expect(pdf.equals(await statementPdf(s))).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'stmt-pdf-'));
    try {
      writeFileSync(path.join(dir, 'n.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'n.pdf'), '-'], { encoding: 'utf8' });
      // Decomposed as exported, printed precomposed.
      expect(text).toMatch(/Łukasz Nguyễn\s+Patient: Avery Quill/);
      expect(text).toContain('From: Łukasz Nguyễn (account G-2001)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is byte-identical when rendered twice', async () => {
    const s = buildStatement(accountInput(), settings);
    expect((await statementPdf(s)).equals(await statementPdf(s))).toBe(true);
  });

  it('flows a long service list onto continuation pages', async () => {
    const claims = Array.from({ length: 40 }, (_, i) => claim({ claimId: `C-${i}`, serviceDate: `2025-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    const s = buildStatement(accountInput({ claims, patientReceivableCents: 80_000n }), settings);
    const pdf = await statementPdf(s);
    const pages = (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
    // Rows are 19 pt (patient over provider): page 1 has room for 4 above the coupon's margin
    // (the body ends at 475.2 pt), a continuation page for 35 ((741.6 - 67) / 19 = 35.5), so 4 + 35 + 1.
    expect(pages).toBe(3);
    const dir = mkdtempSync(path.join(tmpdir(), 'stmt-pdf-'));
    try {
      const file = path.join(dir, 'long.pdf');
      writeFileSync(file, pdf);
      const rowsOn = (page: number) =>
        execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', file, '-'], { encoding: 'utf8' }).split('\n').filter((l) => /^\s*2025-01-\d\d\s/.test(l)).length;
      expect([rowsOn(1), rowsOn(2), rowsOn(3)]).toEqual([4, 35, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
