import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as grpc from "@grpc/grpc-js";
import { rusmService } from "../wire";
import { prepareModule, PreparedModule } from "./compile";

export interface HostOptions {
  /** The module: exported functions are the handlers, module scope is the state. */
  file: string;
  /** The service name it is attached as (declared `runtime: external` on the node). */
  name: string;
  /** The node's wire, host:port. */
  node: string;
  credentials?: grpc.ChannelCredentials;
  /** How long to wait for the node, ms (default 10000). */
  connectTimeoutMs?: number;
}

interface Incarnation {
  number: number;
  worker: Worker;
  /** Set once the host has reported this incarnation's end (or stopped it), so it is reported once. */
  over: boolean;
  limitBytes: number;
}

/**
 * A host attached to a node: for each incarnation the node starts, a fresh worker thread loads the
 * module (fresh module state) under the incarnation's heap limit (`max-memory-mb`), and runs each
 * message the node forwards. A thrown error the module does not export the class of, or the worker
 * running out of heap, is reported as the incarnation's end; the node's supervisor decides what
 * comes next (a restart sends a new Start).
 */
export class Host {
  private readonly incarnations = new Map<number, Incarnation>();
  private readonly module: PreparedModule;
  private stream!: grpc.ClientDuplexStream<any, any>;
  private client!: grpc.Client;
  /** Resolves when the node ends the stream or it breaks. */
  readonly closed: Promise<string>;
  private closeWith!: (why: string) => void;
  nodeName = "";

  constructor(private readonly options: HostOptions) {
    this.module = prepareModule(options.file);
    this.closed = new Promise((resolve) => (this.closeWith = resolve));
  }

  async attach(): Promise<void> {
    const Service = rusmService();
    const client = new Service(this.options.node, this.options.credentials ?? grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>;
    this.client = client;
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + (this.options.connectTimeoutMs ?? 10_000),
      (err) => (err ? reject(new Error("rusm-host: cannot reach " + this.options.node + ": " + err.message)) : resolve())));
    const stream: grpc.ClientDuplexStream<any, any> = client.attach();
    this.stream = stream;
    const welcomed = new Promise<void>((resolve, reject) => {
      stream.on("data", (m: any) => {
        if (m.welcome) {
          this.nodeName = m.welcome.node;
          resolve();
        } else {
          this.onMessage(m);
        }
      });
      stream.on("error", (e: grpc.ServiceError) => {
        reject(new Error("rusm-host: the node refused " + this.options.name + ": " + e.details));
        this.shutdown("stream error: " + e.details);
      });
      stream.on("end", () => this.shutdown("the node ended the stream"));
    });
    stream.write({ hello: { service: this.options.name, runtime: "node " + process.version + ", " + path.basename(this.options.file) } });
    await welcomed;
  }

  private onMessage(m: any): void {
    if (m.start) this.start(Number(m.start.incarnation), Number(m.start.maxMemoryMb));
    else if (m.invoke) this.invoke(Number(m.invoke.incarnation), Number(m.invoke.id), m.invoke.method, m.invoke.argsJson);
    else if (m.stop) this.stop(Number(m.stop.incarnation));
  }

  private start(number: number, maxMemoryMb: number): void {
    // One incarnation of a service lives at a time: a new Start supersedes any older one.
    for (const n of [...this.incarnations.keys()]) this.stop(n);
    const resourceLimits = maxMemoryMb > 0 ? { maxOldGenerationSizeMb: maxMemoryMb } : undefined;
    const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: this.module, resourceLimits, stdout: false, stderr: false });
    const inc: Incarnation = { number, worker, over: false, limitBytes: maxMemoryMb * 1024 * 1024 };
    this.incarnations.set(number, inc);
    worker.on("message", (msg: any) => {
      switch (msg.type) {
        case "ready": this.write({ started: { incarnation: number } }); break;
        case "result": this.write({ result: { incarnation: number, id: msg.id, resultJson: msg.json } }); break;
        case "error":
          this.write({ result: { incarnation: number, id: msg.id, error: { errorType: msg.errorType, message: msg.message, errorJson: msg.json } } });
          break;
        case "badRequest": this.write({ result: { incarnation: number, id: msg.id, badRequest: msg.message } }); break;
        case "noHandler": this.write({ result: { incarnation: number, id: msg.id, noHandler: msg.message } }); break;
        case "crash": this.ended(inc, { label: "crashed", errorType: msg.errorType, message: msg.message }); break;
      }
    });
    worker.on("error", (e: Error & { code?: string }) => {
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") {
        this.ended(inc, { label: "memoryLimit", usedBytes: inc.limitBytes, limitBytes: inc.limitBytes, message: e.message });
      } else {
        this.ended(inc, { label: "crashed", errorType: e.name, message: e.message });
      }
    });
    worker.on("exit", (code) => this.ended(inc, { label: "crashed", errorType: "WorkerExit", message: "the worker exited with code " + code }));
  }

  /** The incarnation died on this side: tell the node once, and drop the worker. */
  private ended(inc: Incarnation, reason: Record<string, unknown>): void {
    if (inc.over) return;
    inc.over = true;
    this.incarnations.delete(inc.number);
    this.write({ exited: { incarnation: inc.number, reason } });
    void inc.worker.terminate();
  }

  private invoke(number: number, id: number, method: string, argsJson: string): void {
    const inc = this.incarnations.get(number);
    if (!inc) {
      this.write({ exited: { incarnation: number, reason: { label: "crashed", errorType: "NotRunning", message: "incarnation " + number + " is not running on this host" } } });
      return;
    }
    inc.worker.postMessage({ id, method, argsJson });
  }

  private stop(number: number): void {
    const inc = this.incarnations.get(number);
    if (!inc) return;
    inc.over = true;
    this.incarnations.delete(number);
    void inc.worker.terminate();
  }

  private write(m: unknown): void {
    this.stream.write(m);
  }

  private shutdown(why: string): void {
    for (const n of [...this.incarnations.keys()]) this.stop(n);
    this.closeWith(why);
  }

  /** Detaches: the node ends the incarnation running here (its callers fail at once). */
  close(): void {
    this.stream?.cancel();
    this.client?.close();
    this.shutdown("closed");
  }
}

/** Attaches `options.file` as service `options.name` to the node; resolves once the node welcomed it. */
export async function host(options: HostOptions): Promise<Host> {
  const h = new Host(options);
  await h.attach();
  return h;
}
