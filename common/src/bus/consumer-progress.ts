import { durableName } from './listener';
import type { EventBus } from './event-bus';
import type { EventType } from '../events/catalogue';

/** A question to JetStream about a consumer's position, and the stream sequence it answers for at least. */
interface ProgressRequest {
  coversThrough: number;
  done: Promise<void>;
}

/**
 * How far other consumers of the same service have got, for `Delivery.caughtUpWith` (the
 * fairness check at the payment deadline, docs/payments.md). Concurrent askers share one request
 * to JetStream and the answer is kept (progress only grows), so a burst of events costs a request
 * per burst, not one each.
 */
export class ConsumerProgress {
  /** Highest stream sequence among the messages this runner has received. */
  private highestSeen = 0;
  /** Per consumer: every message up to this stream sequence is known to be applied. */
  private readonly caughtUpThrough = new Map<string, number>();
  private readonly requests = new Map<string, ProgressRequest>();

  constructor(
    private readonly bus: EventBus,
    private readonly service: string,
  ) {}

  /** Notes a message the runner received. */
  saw(seq: number): void {
    this.highestSeen = Math.max(this.highestSeen, seq);
  }

  get latestSeen(): number {
    return this.highestSeen;
  }

  /** True once this service's consumer of `other` has applied every message up to stream sequence `seq`. */
  async caughtUpWith(other: EventType, seq: number): Promise<boolean> {
    const consumer = durableName(this.service, other);
    while ((this.caughtUpThrough.get(consumer) ?? 0) < seq) {
      const request = this.refresh(consumer);
      await request.done;
      // A request that began after this message arrived has the final word; one that was
      // already under way may not cover it, so the message joins the next one instead of
      // being sent back with a nak (that was most of the wait in a burst of expiries).
      if (request.coversThrough >= seq) break;
    }
    return (this.caughtUpThrough.get(consumer) ?? 0) >= seq;
  }

  /**
   * True once this service has applied every `event` published so far: its consumer's ack floor
   * has reached the stream's last sequence as of this call, or it has nothing pending at all.
   * For work outside a delivery (a sweep) that must not overtake events already in the stream.
   */
  async caughtUpWithStream(event: EventType): Promise<boolean> {
    const { state } = await this.bus.jsm.streams.info(this.bus.stream);
    const info = await this.bus.jsm.consumers.info(this.bus.stream, durableName(this.service, event));
    return info.ack_floor.stream_seq >= state.last_seq || (info.num_pending === 0 && info.num_ack_pending === 0);
  }

  /**
   * Asks JetStream how far `consumer` has got. The stream's last sequence is read first: if the
   * consumer then has nothing pending or unacknowledged, it has applied every message published
   * up to that sequence, which covers every message this runner had received before the request too.
   * If it is busy, the ack floor alone would not do: a consumer busy with messages published after
   * the ones asked about (a payment authorized just after the expiry arrived) has applied those,
   * yet its floor stays below them until the later one is done. Its first message past the floor,
   * read from the stream, is where its unapplied messages begin.
   */
  private refresh(consumer: string): ProgressRequest {
    const existing = this.requests.get(consumer);
    if (existing) return existing;
    const { bus } = this;
    const coversThrough = this.highestSeen;
    const done = (async () => {
      const { state } = await bus.jsm.streams.info(bus.stream);
      const info = await bus.jsm.consumers.info(bus.stream, consumer);
      const floor = info.ack_floor.stream_seq;
      const idle = info.num_pending === 0 && info.num_ack_pending === 0;
      let through = Math.max(floor, idle ? Math.max(coversThrough, state.last_seq) : 0);
      if (through < coversThrough && info.config.filter_subject) {
        through = Math.max(through, await this.beforeFirstUnapplied(info.config.filter_subject, floor, state.last_seq));
      }
      this.caughtUpThrough.set(consumer, Math.max(this.caughtUpThrough.get(consumer) ?? 0, through));
    })().finally(() => this.requests.delete(consumer));
    const request = { coversThrough, done };
    this.requests.set(consumer, request);
    return request;
  }

  /**
   * The sequence just before the first message on `subject` past a consumer's ack floor: every
   * message on it up to there is applied (the floor is where its acknowledged messages stop being
   * contiguous, so that first one is not). None past the floor: everything up to `lastSeq`, the
   * stream's last sequence read before the consumer's state.
   */
  private async beforeFirstUnapplied(subject: string, floor: number, lastSeq: number): Promise<number> {
    // STREAM.MSG.GET with `next_by_subj` (nats-server ≥ 2.9); nats.js types only its other forms.
    const firstPastFloor = { seq: floor + 1, next_by_subj: subject };
    const next = await this.bus.jsm.streams.getMessage(this.bus.stream, firstPastFloor);
    return next ? next.seq - 1 : lastSeq;
  }
}
