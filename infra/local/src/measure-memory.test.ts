import { readFileSync } from 'node:fs';
import { groupResidentMemory, residentMemoryKb } from './measure-memory';

describe('memory figures', () => {
  it('reads this process’s resident memory and counts it in its process group', () => {
    const own = residentMemoryKb(process.pid) as number;
    expect(own).toBeGreaterThan(1_000);
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    const group = groupResidentMemory(pgid);
    expect(group.processes).toBeGreaterThanOrEqual(1);
    expect(group.kb).toBeGreaterThanOrEqual(own * 0.5);
  });

  it('knows nothing of a process that does not exist', () => {
    expect(residentMemoryKb(999_999_999)).toBeUndefined();
    expect(groupResidentMemory(999_999_999)).toEqual({ kb: 0, processes: 0 });
  });
});
