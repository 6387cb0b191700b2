import { settled, type EventFlow, type StreamPosition } from './settled';

/** A flow that answers from scripts, one answer per look (the last one repeats). */
function scripted(unpublished: number[], stream: StreamPosition[]): EventFlow & { looks: () => number } {
  let u = 0;
  let s = 0;
  return {
    unpublished: async () => unpublished[Math.min(u++, unpublished.length - 1)]!,
    stream: async () => stream[Math.min(s++, stream.length - 1)]!,
    looks: () => s,
  };
}

describe('settled', () => {
  it('returns at once when nothing is in flight', async () => {
    const flow = scripted([0], [{ lastSeq: 7, behind: 0 }]);
    await expect(settled(flow, 1_000, 1)).resolves.toBeGreaterThanOrEqual(0);
    expect(flow.looks()).toBe(3);
  });

  it('does not call it settled when a relay published between the idle-stream look and the second outbox look', async () => {
    // The outbox is empty, the stream idle; a listener's row is committed and published right
    // after the stream was read, so the second outbox look finds it gone too. Only the stream,
    // grown meanwhile, tells.
    const flow = scripted(
      [0, 0, 0],
      [
        { lastSeq: 10, behind: 0 }, // before
        { lastSeq: 10, behind: 0 }, // the idle look
        { lastSeq: 11, behind: 1 }, // end: the relay published meanwhile
        { lastSeq: 11, behind: 1 }, // the next round: orders is behind
        { lastSeq: 11, behind: 1 },
        { lastSeq: 11, behind: 1 },
        { lastSeq: 11, behind: 0 }, // then everything has run its course
      ],
    );
    await settled(flow, 1_000, 1);
    expect(flow.looks()).toBeGreaterThan(3);
  });

  it('fails with what is still in flight after the timeout', async () => {
    const flow = scripted([2], [{ lastSeq: 3, behind: 1 }]);
    await expect(settled(flow, 30, 5)).rejects.toThrow(/events still in flight after 0.03 s \(4 outbox rows, consumers 1 events behind, stream at 3→3\)/);
  });
});
