/** @module WebSocket lifetime guards: noticing a client that leaves during the upstream handshake, and closing idle tunnels. */
import type { Duplex } from 'node:stream';

/** Bytes a client may send before the handshake completes (WebSocket frames sent early); beyond this it is dropped. */
const MAX_EARLY_BYTES = 64 * 1024;

export interface HandshakeWatch {
  /** Stops watching; returns the bytes the client sent meanwhile, to forward after the upgrade. */
  release(): Buffer[];
}

/**
 * Node hands the upgrade socket over paused and half-open (`allowHalfOpen`), so a client that sends
 * FIN while the upstream handshake is under way is never noticed: the upstream request, its socket
 * and the try (`active`) stay until the upstream answers. Reading the socket meanwhile notices the
 * end at once; what the client sent early is kept for the tunnel.
 */
export function watchHandshakeClient(socket: Duplex): HandshakeWatch {
  const early: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > MAX_EARLY_BYTES) socket.destroy();
    else early.push(chunk);
  };
  const onEnd = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  return {
    release() {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      return early;
    },
  };
}

/**
 * Calls `onIdle` once no byte moved in either direction for `ms` (0 = never). The timer is
 * refreshed on every chunk, not re-created. Returns the function that stops it.
 */
export function closeWhenIdle(client: Duplex, upstream: Duplex, ms: number, onIdle: () => void): () => void {
  if (ms <= 0) return () => undefined;
  const timer = setTimeout(onIdle, ms);
  timer.unref();
  const refresh = (): void => {
    timer.refresh();
  };
  client.on('data', refresh);
  upstream.on('data', refresh);
  return () => {
    clearTimeout(timer);
    client.off('data', refresh);
    upstream.off('data', refresh);
  };
}

/**
 * nginx ends an upgraded connection as soon as either side sends EOF and what it sent was passed
 * on. Node's sockets here are half-open capable, so without this a client that leaves with a FIN
 * would keep the tunnel, the upstream socket and the try active until the upstream closes.
 */
export function closeOnEitherEnd(client: Duplex, upstream: Duplex, close: () => void): void {
  const passOn = (other: Duplex) => (): void => {
    if (other.writableFinished || other.destroyed) {
      close();
      return;
    }
    other.once('finish', close);
    other.end();
  };
  client.once('end', passOn(upstream));
  upstream.once('end', passOn(client));
}
