import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One writer per table: the case timeline (`case_event`) is appended only by
 * domain/cases/timeline.ts. This reads every run-time source file of the repository (git's list)
 * and fails naming any other file that inserts into the table.
 */
const ROOT = path.resolve(__dirname, '../..');
const WRITER = 'domain/cases/timeline.ts';
const RUNTIME = /^(domain|server|workers|platform|engine)\/.*\.ts$/;
const INSERTS = [
  /\(\s*['"]case_event['"]\s*\)\s*\.insert\b/,
  /insert\s+into\s+case_event\b/i,
  /insertChunks\([^,]+,\s*['"]case_event['"]/,
];

function runtimeFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => RUNTIME.test(f) && !f.endsWith('.test.ts') && fs.existsSync(path.join(ROOT, f)));
}

describe('the case timeline has one writer', () => {
  it('finds the writer itself (so the check can fail)', () => {
    // given the writer module
    const text = fs.readFileSync(path.join(ROOT, WRITER), 'utf8');

    // then the patterns recognise its inserts
    expect(INSERTS.some((re) => re.test(text))).toBe(true);
  });

  it('no other run-time module inserts into case_event', () => {
    // given every run-time source file but the writer
    const others = runtimeFiles().filter((f) => f !== WRITER);
    expect(others.length).toBeGreaterThan(100);

    // when we look for inserts into the timeline
    const writers = others.filter((f) => {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      return INSERTS.some((re) => re.test(text));
    });

    // then there are none: they call appendCaseEvent / caseEventInsertSql instead
    expect(writers).toEqual([]);
  });
});
