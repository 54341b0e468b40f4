/**
 * The server's lint (domain/processes/lint-bpmn.ts, camunda-compat 8.8, the designer's rules) and
 * the engine agree on Camunda user tasks: a model the lint accepts deploys, one it rejects does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lintBpmnHere } from '../../../domain/processes/lint-bpmn';
import { startTestEngine, type TestEngine } from '../../../engine/testing';

const dir = path.join(__dirname, '../../engine/fixtures/user-tasks');

describe('Camunda user tasks: lint and deploy agree', () => {
  let te: TestEngine;
  beforeAll(async () => {
    te = await startTestEngine();
  });
  afterAll(() => te.stop());

  test.each(fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn')))('%s', async (file) => {
    // given
    const xml = fs.readFileSync(path.join(dir, file), 'utf8');

    // when
    const lint = await lintBpmnHere(xml);
    const deployed = await te
      .client()
      .deployResource({ name: file, process: Buffer.from(xml) } as any)
      .then(
        () => true,
        () => false,
      );

    // then: the fixtures named invalid-* are refused by both, the others accepted by both
    expect(deployed).toBe(!file.startsWith('invalid-'));
    expect({ lintAccepts: lint.errors.length === 0 && !lint.parseError, deployed }).toEqual({
      lintAccepts: deployed,
      deployed,
    });
  });
});
