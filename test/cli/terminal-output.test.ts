import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { useTestDb } from '../support/db.ts';
import { runCliOnTerminal } from '../support/process.ts';
import { addInstitution, addSettlements, deliver, HEADER, newFolders, row } from '../support/recon.ts';

const db = await useTestDb('terminal_output');
const app = useTestApp(db.url);
const env = { DATABASE_URL: db.url, QUEUE_PREFIX: app.prefix, LOG_LEVEL: 'info' };

/** What a terminal finally shows on each line: the text after the last return to column 1, without colours. */
function screenLines(output: string): string[] {
  return output.replace(/\u001b\[\d*G/g, '\r').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split(/\r?\n/).map((line) => line.split('\r').at(-1)!);
}

beforeAll(async () => {
  for (const code of ['T001', 'T002', 'T003']) await addInstitution(db.pool, code);
  await addSettlements(db.pool, [{ setlId: 'TT1', setlTime: '2026-10-20 08:00:00', acctPay: 500, code: 'T001' }]);
});

describe('terminal output', () => {
  it('recon run --wait on a terminal prints readable log lines above the bar, never JSON, and nothing after the table', async () => {
    const folders = newFolders();
    for (const code of ['T001', 'T002', 'T003']) {
      deliver(folders, `${code}_20261020.csv`, [HEADER, row({ setlId: 'TT1', code, setlTime: '2026-10-20 08:00:00', acctPay: '5' })]);
    }
    const run = await runCliOnTerminal(['recon', 'run', '--date', '2026-10-20', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], env);

    expect(run.code).toBe(0);
    const lines = screenLines(run.stdout);
    expect(run.stdout).not.toContain('{"level"');
    const logLines = lines.filter((line) => / INFO/.test(line));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\+08:00\] INFO/);
      expect(line).not.toMatch(/files \[|█|░/);
    }
    const summary = lines.findIndex((line) => line.startsWith('2026-10-20: 3 institutions'));
    expect(summary).toBeGreaterThan(0);
    expect(lines.slice(summary + 1).join('')).toBe('');
    const table = lines.findIndex((line) => line.startsWith('┌'));
    expect(lines.slice(table, summary).join('\n')).not.toMatch(/files \[|INFO/);
  });

  it('LOG_FORMAT=json keeps JSON log lines on a terminal, their time in +08:00', async () => {
    const folders = newFolders();
    const run = await runCliOnTerminal(['recon', 'run', '--date', '2026-10-21', '--inbox', folders.inbox, '--outbox', folders.outbox, '--wait'], { ...env, LOG_FORMAT: 'json' });
    expect(run.code).toBe(0);
    const json = screenLines(run.stdout).filter((line) => line.startsWith('{'));
    expect(json.length).toBeGreaterThan(0);
    for (const line of json) expect(JSON.parse(line).time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
  });

  it('worker keeps JSON log lines on a terminal by default', async () => {
    let stopping = false;
    const run = await runCliOnTerminal(['worker'], env, (output, child) => {
      if (stopping || !output.includes('workers started')) return;
      stopping = true;
      process.kill(-child.pid!, 'SIGTERM');
    });
    const started = screenLines(run.stdout).find((line) => line.includes('workers started'));
    expect(JSON.parse(started!)).toMatchObject({ level: 30, msg: 'workers started', time: expect.stringMatching(/\+08:00$/) });
  });
});
