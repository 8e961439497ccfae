/** @module Real @grpc/grpc-js servers and clients for the gRPC tests: an Echo service (unary and server streaming) on raw bytes, no .proto needed. */
import * as grpc from '@grpc/grpc-js';

const bytes = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };

export const ECHO_SERVICE = {
  echo: {
    path: '/switchyard.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
  count: {
    path: '/switchyard.test.Echo/Count',
    requestStream: false,
    responseStream: true,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
} satisfies grpc.ServiceDefinition;

export interface EchoServer {
  readonly name: string;
  readonly port: number;
  /** Calls received, by method path. */
  readonly calls: string[];
  /** What the next Echo calls answer: a status other than OK. */
  fail: { code: grpc.status; message: string } | undefined;
  /** Echo calls are held unanswered (until the client cancels them). */
  hang: boolean;
  /** Resolves when a held call was cancelled by its caller (a deadline, a proxy that gave up). */
  cancelled: Promise<void>;
  close(): Promise<void>;
}

/**
 * A grpc-js server named `name` on 127.0.0.1 (h2c, or TLS with `credentials`): Echo answers `name:<request>`;
 * Count streams `name:1` ... `name:N` for a request of the digits N.
 */
export async function startEchoServer(name: string, credentials = grpc.ServerCredentials.createInsecure()): Promise<EchoServer> {
  const server = new grpc.Server();
  let onCancel = (): void => {};
  const state: EchoServer = {
    name,
    port: 0,
    calls: [],
    fail: undefined,
    hang: false,
    cancelled: new Promise<void>((resolve) => (onCancel = resolve)),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(ECHO_SERVICE, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      state.calls.push('Echo');
      if (state.hang) {
        call.on('cancelled', onCancel);
        return;
      }
      if (state.fail !== undefined) {
        callback({ code: state.fail.code, details: state.fail.message });
        return;
      }
      callback(null, Buffer.from(`${name}:${call.request.toString()}`));
    },
    count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      state.calls.push('Count');
      const n = Math.min(Number(call.request.toString()), 1000);
      for (let i = 1; i <= n; i++) call.write(Buffer.from(`${name}:${i}`));
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))));
  return Object.assign(state, { port });
}

export type EchoClient = grpc.Client & {
  echo(request: Buffer, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Buffer) => void): grpc.ClientUnaryCall;
  count(request: Buffer, options?: grpc.CallOptions): grpc.ClientReadableStream<Buffer>;
};

const EchoClientClass = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => EchoClient;

/** A client of `address` (`127.0.0.1:port`), cleartext or TLS. */
export function echoClient(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): EchoClient {
  return new EchoClientClass(address, credentials, options);
}

/** One unary Echo call: the answer text, or the error's code and details. */
export function echo(client: EchoClient, text: string, deadlineMs = 10_000): Promise<{ value?: string; code?: grpc.status; details?: string }> {
  return new Promise((resolve) => {
    client.echo(Buffer.from(text), { deadline: Date.now() + deadlineMs }, (err, value) => {
      if (err) resolve({ code: err.code, details: err.details });
      else resolve({ value: value?.toString() ?? '' });
    });
  });
}

/** A server-streaming Count call: every message, then the final status. */
export function count(client: EchoClient, n: number): Promise<{ messages: string[]; code: grpc.status; details: string }> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const call = client.count(Buffer.from(String(n)), { deadline: Date.now() + 10_000 });
    call.on('data', (m: Buffer) => messages.push(m.toString()));
    call.on('error', () => {});
    call.on('status', (s: grpc.StatusObject) => resolve({ messages, code: s.code, details: s.details }));
  });
}
