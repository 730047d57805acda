import { randomId } from "../crypto/ids.js";
import type { RandomSource } from "../crypto/random.js";
import type {
  AnyAuthEventListener,
  AuthEvent,
  AuthEventFields,
  AuthEventListener,
  AuthEventListeners,
  AuthEventOf,
  AuthEventType,
} from "./events.js";

/** What a flow knows about the request an event comes from. */
export interface EventSource {
  userId?: string | null | undefined;
  ip?: string | null;
  userAgent?: string | null;
}

/** The one place events go through: flows emit, subscribers listen. */
export interface EventBus {
  /**
   * Delivers an event to every listener of its type (and of `"*"`), in order of subscription,
   * after the caller stored the change. Resolves when they have all run; a listener that throws
   * is reported to `onListenerError` and never fails the emitter.
   */
  emit<T extends AuthEventType>(
    type: T,
    source: EventSource,
    fields: AuthEventFields[T],
  ): Promise<AuthEventOf<T>>;
  /** Subscribes to one type, or to every event with `"*"`; returns the function that unsubscribes. */
  on: {
    <T extends AuthEventType>(type: T, listener: AuthEventListener<T>): () => void;
    (type: "*", listener: AnyAuthEventListener): () => void;
  };
}

export interface EventBusOptions {
  random: RandomSource;
  now(): Date;
  /** Where a throwing listener is reported (the logger). */
  onListenerError(error: unknown, event: AuthEvent): void;
  /** Listeners given at creation (`createAuth({ on })`). */
  listeners?: AuthEventListeners;
}

export function createEventBus(options: EventBusOptions): EventBus {
  const byType = new Map<string, AuthEventListener[]>();

  function on(type: string, listener: AuthEventListener): () => void {
    const list = byType.get(type) ?? [];
    list.push(listener);
    byType.set(type, list);
    return () => {
      const current = byType.get(type) ?? [];
      byType.set(
        type,
        current.filter((candidate) => candidate !== listener),
      );
    };
  }

  for (const [type, listener] of Object.entries(options.listeners ?? {})) {
    if (typeof listener === "function") on(type, listener as AuthEventListener);
  }

  return {
    async emit(type, source, fields) {
      const event = {
        id: randomId(options.random),
        type,
        at: options.now().toISOString(),
        ...(source.userId ? { userId: source.userId } : {}),
        ...(source.ip ? { ip: source.ip } : {}),
        ...(source.userAgent ? { userAgent: source.userAgent } : {}),
        ...fields,
      } as unknown as AuthEventOf<typeof type>;
      const listeners = [...(byType.get(type) ?? []), ...(byType.get("*") ?? [])];
      for (const listener of listeners) {
        try {
          await listener(event as never);
        } catch (error) {
          options.onListenerError(error, event as AuthEvent);
        }
      }
      return event;
    },
    on: on as EventBus["on"],
  };
}
