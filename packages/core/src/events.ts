/** @module A typed event emitter for switchyard's state-change events (errors in listeners never reach the request path). */
import { EventEmitter } from 'node:events';
import type { SwitchyardEventName, SwitchyardEvents } from './types.js';

export class SwitchyardEmitter {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Many adapters/loggers/metrics may listen; the default cap of 10 would print a false leak warning.
    this.#emitter.setMaxListeners(100);
  }

  on<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): void {
    this.#emitter.on(event, listener);
  }

  off<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): void {
    this.#emitter.off(event, listener);
  }

  listening(event: SwitchyardEventName): boolean {
    return this.#emitter.listenerCount(event) > 0;
  }

  /** A throwing listener is reported on `process` as a warning; the caller (a pick, a release) goes on. */
  emit<E extends SwitchyardEventName>(event: E, payload: SwitchyardEvents[E]): void {
    if (this.#emitter.listenerCount(event) === 0) return;
    try {
      this.#emitter.emit(event, payload);
    } catch (err) {
      process.emitWarning(`switchyard: a listener of "${event}" threw: ${String(err)}`);
    }
  }
}
