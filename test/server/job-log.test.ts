// The agent's job log: a job id it has recorded survives a restart, the file
// holds each change when `put` resolves, racing changes land in order, and a
// damaged file stops the agent instead of being taken for "no jobs" (which
// would print a job again). Real files in a temp folder.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentJobLog, type AgentJobEntry } from '../../server/agent/job-log.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'giliran-job-log-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(dir, `agent-${n++}`, 'jobs.json');

const entry = (jobId: string, state: AgentJobEntry['state'] = 'received'): AgentJobEntry => ({
  jobId,
  receivedAt: new Date().toISOString(),
  state,
  result: null,
  resultAcked: false,
});

describe('agent job log', () => {
  it('has each change in the file when put resolves, and a reopened log knows every job', async () => {
    const file = fresh();
    const log = await AgentJobLog.open(file);
    await log.put(entry('j1'));
    expect(JSON.parse(await readFile(file, 'utf8')).jobs.map((j: AgentJobEntry) => j.jobId)).toEqual(['j1']);
    await log.put({ ...entry('j1'), state: 'printed' });
    await log.put(entry('j2'));
    const again = await AgentJobLog.open(file);
    expect(again.get('j1')?.state).toBe('printed');
    expect(again.get('j2')?.state).toBe('received');
    expect(again.all()).toHaveLength(2);
  });

  it('writes racing changes one after the other, the last one last, leaving no temporary file', async () => {
    const file = fresh();
    const log = await AgentJobLog.open(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.put(entry(`j${i}`))));
    const again = await AgentJobLog.open(file);
    expect(again.all().map((j) => j.jobId)).toEqual(Array.from({ length: 50 }, (_, i) => `j${i}`));
    expect(await readdir(path.dirname(file))).toEqual(['jobs.json']);
  });

  it('refuses to start from a damaged file rather than forget what it printed', async () => {
    const file = fresh();
    const log = await AgentJobLog.open(file);
    await log.put(entry('j1'));
    await writeFile(file, '{"version":1,"jobs":[{"jobId"');
    await expect(AgentJobLog.open(file)).rejects.toThrow(/cannot read agent state/);
  });

  it('lives in memory only without a file', async () => {
    const log = await AgentJobLog.open(null);
    await log.put(entry('j1'));
    expect(log.get('j1')?.jobId).toBe('j1');
  });
});
