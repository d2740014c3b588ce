import { describe, expect, it } from 'vitest';
import { type AppliedMigration, type MigrationFile, parseMigrationFileName, planMigrations } from '../../src/runtime/migrations.ts';

function file(id: number, name: string, checksum: string): MigrationFile {
  return { id, name, fileName: `${String(id).padStart(4, '0')}_${name}.sql`, sql: '', checksum };
}
function applied(id: number, name: string, checksum: string): AppliedMigration {
  return { id, name, checksum, appliedAt: new Date('2024-03-01T00:00:00Z') };
}

describe('parseMigrationFileName', () => {
  it('reads the number and the name', () => {
    expect(parseMigrationFileName('0003_x12.sql')).toEqual({ id: 3, name: 'x12' });
    expect(parseMigrationFileName('0010_remittance_lines.sql')).toEqual({ id: 10, name: 'remittance_lines' });
  });
  it('rejects other shapes', () => {
    expect(parseMigrationFileName('3_x12.sql')).toBeUndefined();
    expect(parseMigrationFileName('0003-x12.sql')).toBeUndefined();
    expect(parseMigrationFileName('0003_X12.sql')).toBeUndefined();
    expect(parseMigrationFileName('0003_x12.sql.bak')).toBeUndefined();
  });
});

describe('planMigrations', () => {
  it('lists unapplied files as pending, in number order', () => {
    const plan = planMigrations([file(2, 'b', 'h2'), file(1, 'a', 'h1'), file(3, 'c', 'h3')], [applied(1, 'a', 'h1')]);
    expect(plan.pending.map((f) => f.id)).toEqual([2, 3]);
    expect(plan.changed).toEqual([]);
    expect(plan.missing).toEqual([]);
  });
  it('reports an applied file whose checksum or name changed', () => {
    const plan = planMigrations([file(1, 'a', 'h1-edited'), file(2, 'renamed', 'h2')], [applied(1, 'a', 'h1'), applied(2, 'b', 'h2')]);
    expect(plan.changed.map((c) => [c.file.fileName, c.applied.checksum])).toEqual([['0001_a.sql', 'h1'], ['0002_renamed.sql', 'h2']]);
    expect(plan.pending).toEqual([]);
  });
  it('reports applied migrations whose file is gone', () => {
    const plan = planMigrations([file(1, 'a', 'h1')], [applied(1, 'a', 'h1'), applied(2, 'b', 'h2')]);
    expect(plan.missing.map((m) => m.id)).toEqual([2]);
  });
});
