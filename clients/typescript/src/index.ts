import * as grpc from "@grpc/grpc-js";
import { DeclaredErrors, rusmService, toPid, toRusmError } from "./wire";
import { ExitReason, Pid } from "./errors";

export * from "./errors";
export { PROTO_PATH } from "./wire";

/** A Down: the monitored process ended. */
export interface Down {
  pid: Pid;
  reason: ExitReason;
}

/** Every method of T, returning a promise of its result. */
export type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** The Downs of one monitor; `ready` resolves with the watched pid once the monitor is set (undefined if it was not running). */
export interface MonitorIterator extends AsyncIterableIterator<Down> {
  ready: Promise<Pid | undefined>;
}

export interface ConnectOptions {
  /** Default timeout of each call (the gRPC deadline), in ms. Default 5000. */
  callTimeoutMs?: number;
  /** TLS: credentials from grpc.credentials.createSsl(...). Default: plaintext (loopback). */
  credentials?: grpc.ChannelCredentials;
  /** Largest reply accepted, bytes (default 4 MB, as the node's rusm.wire.max-message-size). */
  maxMessageSize?: number;
  /** How long connect() waits for the node to answer, ms. Default 10000. */
  connectTimeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Classes to rebuild declared errors by name ({ InsufficientFunds }); others arrive as DeclaredError. */
  errors?: DeclaredErrors;
}

/** A connection to one rusm node's wire. */
export class RusmNode {
  private callIds = 0;

  /** @internal */
  constructor(readonly target: string, private readonly stub: grpc.Client & Record<string, any>, private readonly opts: ConnectOptions) {}

  /** A typed proxy: each method call is a call to the handler of that name. */
  client<T>(service: string, options: CallOptions = {}): Remote<T> {
    return new Proxy({} as Remote<T>, {
      get: (_target, prop) => {
        if (typeof prop !== "string" || prop === "then") return undefined; // not a thenable
        return (...args: unknown[]) => this.call(service, prop, args, options);
      },
    });
  }

  /** Calls `service.method(...args)` and resolves with its reply. */
  call<R = unknown>(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<R> {
    const callId = ++this.callIds;
    const timeout = options.timeoutMs ?? this.opts.callTimeoutMs ?? 5000;
    const req = { service, method, argsJson: JSON.stringify(args), callId };
    return new Promise<R>((resolve, reject) => {
      const deadline = Date.now() + timeout;
      this.stub.call(req, { deadline }, (err: grpc.ServiceError | null, reply: any) => {
        if (err) reject(toRusmError(err, service, options.errors, deadline));
        else resolve(reply.resultJson === "" ? (undefined as R) : (JSON.parse(reply.resultJson) as R));
      });
    });
  }

  /** Fire-and-forget; resolves true if a process ran under the name (false: dropped). */
  send(service: string, method: string, ...args: unknown[]): Promise<boolean> {
    const req = { service, method, argsJson: JSON.stringify(args), callId: ++this.callIds };
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + (this.opts.callTimeoutMs ?? 5000);
      this.stub.cast(req, { deadline }, (err: grpc.ServiceError | null, reply: any) => {
        if (err) reject(toRusmError(err, service, undefined, deadline));
        else resolve(Boolean(reply.delivered));
      });
    });
  }

  /** The current incarnation under `name`, or undefined. */
  whereis(name: string): Promise<Pid | undefined> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + (this.opts.callTimeoutMs ?? 5000);
      this.stub.whereis({ name }, { deadline }, (err: grpc.ServiceError | null, reply: any) => {
        if (err) reject(toRusmError(err, name, undefined, deadline));
        else resolve(toPid(reply.pid));
      });
    });
  }

  /**
   * Monitors a process (by name: its current incarnation) and yields its one Down; `ready`
   * resolves with the pid watched once the monitor is in place. With a callback, calls it once and
   * returns a function that removes the monitor.
   */
  monitor(target: string | Pid): MonitorIterator;
  monitor(target: string | Pid, onDown: (down: Down) => void, onReady?: (pid: Pid) => void): () => void;
  monitor(target: string | Pid, onDown?: (down: Down) => void, onReady?: (pid: Pid) => void): MonitorIterator | (() => void) {
    const req = typeof target === "string" ? { name: target } : { pid: target };
    const stream: grpc.ClientReadableStream<any> = this.stub.monitor(req);
    const name = typeof target === "string" ? target : target.name;
    const toDown = (d: any): Down => ({ pid: toPid(d.pid) ?? { node: "", name, incarnation: 0 }, reason: d.reason });
    const downs: Down[] = [];
    const waiting: { resolve: (r: IteratorResult<Down>) => void; reject: (e: unknown) => void }[] = [];
    let finished = false;
    let failure: unknown;
    let readyResolve!: (p: Pid | undefined) => void;
    const ready = new Promise<Pid | undefined>((resolve) => (readyResolve = resolve));
    const flush = () => {
      while (waiting.length > 0 && (downs.length > 0 || finished)) {
        const w = waiting.shift()!;
        if (downs.length > 0) w.resolve({ done: false, value: downs.shift()! });
        else if (failure) w.reject(failure);
        else w.resolve({ done: true, value: undefined });
      }
    };
    stream.on("data", (event: any) => {
      if (event.monitoring) {
        const pid = toPid(event.monitoring)!;
        readyResolve(pid);
        onReady?.(pid);
      } else if (event.down) {
        readyResolve(undefined);
        const d = toDown(event.down);
        if (onDown) onDown(d);
        else downs.push(d);
        flush();
      }
    });
    stream.on("error", (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) failure = toRusmError(e, name);
      finished = true;
      readyResolve(undefined);
      flush();
    });
    stream.on("end", () => { finished = true; readyResolve(undefined); flush(); });
    if (onDown) return () => stream.cancel();
    const it: MonitorIterator = {
      ready,
      next: () => new Promise<IteratorResult<Down>>((resolve, reject) => { waiting.push({ resolve, reject }); flush(); }),
      async return() {
        stream.cancel();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() { return it; },
    };
    return it;
  }

  close(): void {
    this.stub.close();
  }
}

/** Connects to a node's wire (`host:port`) and waits until it answers. */
export async function connect(target: string, options: ConnectOptions = {}): Promise<RusmNode> {
  const Service = rusmService();
  const max = options.maxMessageSize ?? 4 * 1024 * 1024;
  const stub = new Service(target, options.credentials ?? grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": max,
    "grpc.max_send_message_length": -1, // the node decides what is too large
  }) as grpc.Client & Record<string, any>;
  await new Promise<void>((resolve, reject) =>
    stub.waitForReady(Date.now() + (options.connectTimeoutMs ?? 10_000), (err) => (err ? reject(new Error("rusm: cannot reach " + target + ": " + err.message)) : resolve())));
  return new RusmNode(target, stub, options);
}

export { host, Host, HostOptions } from "./host/host";
