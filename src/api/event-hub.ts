import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

export type ChannelListener = (message: string) => void;

/**
 * One shared subscriber connection per app (created on first use with redis.duplicate()),
 * fanned out in-process to every SSE stream: N clients watching experiments cost one Redis
 * connection, and a channel is subscribed while at least one stream listens to it.
 */
export class EventHub {
  private subscriber: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  private readonly listeners = new Map<string, Set<ChannelListener>>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
  ) {}

  private connection(): Promise<Redis> {
    this.connecting ??= (async () => {
      const sub = this.redis.duplicate();
      sub.on('error', (error: Error) => this.log.warn({ err: error }, 'event subscriber error'));
      sub.on('message', (channel: string, message: string) => {
        for (const listener of this.listeners.get(channel) ?? []) listener(message);
      });
      this.subscriber = sub;
      if (sub.status === 'wait') await sub.connect();
      return sub;
    })().catch((error: unknown) => {
      // Let the next stream try again rather than caching a failed connection.
      this.subscriber?.disconnect();
      this.subscriber = undefined;
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Listens to `channel`; resolves once Redis confirmed the subscription. Returns the unsubscribe. */
  async subscribe(channel: string, listener: ChannelListener): Promise<() => void> {
    if (this.closed) throw new Error('Connection is closed');
    const sub = await this.connection();
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    const first = set.size === 0;
    set.add(listener);
    if (first) {
      try {
        await sub.subscribe(channel);
      } catch (error) {
        this.remove(channel, listener);
        throw error;
      }
    }
    return () => this.remove(channel, listener);
  }

  private remove(channel: string, listener: ChannelListener): void {
    const set = this.listeners.get(channel);
    if (set === undefined || !set.delete(listener) || set.size > 0) return;
    this.listeners.delete(channel);
    if (this.subscriber?.status === 'ready') {
      this.subscriber
        .unsubscribe(channel)
        .catch((error: unknown) => this.log.debug({ err: error }, 'unsubscribe failed'));
    }
  }

  get channelCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub === undefined) return;
    await this.connecting?.catch(() => undefined);
    if (sub.status === 'ready') await sub.quit().catch(() => sub.disconnect());
    else sub.disconnect();
  }
}
