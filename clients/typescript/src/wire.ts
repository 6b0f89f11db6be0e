import * as path from "node:path";
import * as fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as protobuf from "protobufjs";
import {
  BadRequestError, CallTimeoutError, DeclaredError, ExitReason, FailureKind, FencedError, MailboxFullError,
  NoProcessError, Pid, ProcessCrashedError, RusmError,
} from "./errors";

/** rusm/v1/rusm.proto: the copy shipped in the package (copied from rusm-wire at build time). */
export const PROTO_PATH = path.join(__dirname, "../../proto/rusm/v1/rusm.proto");

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

let cached: grpc.ServiceClientConstructor | undefined;

/** The generated-at-runtime client constructor of service rusm.v1.Rusm. */
export function rusmService(): grpc.ServiceClientConstructor {
  if (!cached) {
    if (!fs.existsSync(PROTO_PATH)) throw new Error("rusm: " + PROTO_PATH + " is missing (run npm run build)");
    const def = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as any;
    cached = pkg.rusm.v1.Rusm as grpc.ServiceClientConstructor;
  }
  return cached;
}

let failureType: protobuf.Type | undefined;

/** The trailer carrying a serialized rusm.v1.Failure. */
export const FAILURE_TRAILER = "rusm.v1.failure-bin";

function decodeFailure(buf: Buffer): any {
  if (!failureType) failureType = protobuf.loadSync(PROTO_PATH).lookupType("rusm.v1.Failure");
  const msg = failureType.decode(buf);
  return failureType.toObject(msg, { longs: Number, enums: String, defaults: true });
}

export function toPid(p: any): Pid | undefined {
  if (!p || !p.name) return undefined;
  return { node: p.node, name: p.name, incarnation: Number(p.incarnation) };
}

function toReason(r: any): ExitReason {
  if (!r) return { label: "crashed" };
  const out: ExitReason = { label: r.label };
  if (r.errorType) out.errorType = r.errorType;
  if (r.message) out.message = r.message;
  if (Number(r.usedBytes)) out.usedBytes = Number(r.usedBytes);
  if (Number(r.limitBytes)) out.limitBytes = Number(r.limitBytes);
  return out;
}

export type DeclaredErrors = Record<string, new (message: string) => Error>;

/** The rusm error a failed gRPC call stands for (the table in rusm.proto). */
export function toRusmError(err: grpc.ServiceError, target: string, declared?: DeclaredErrors, deadline?: number): Error {
  const raw = err.metadata?.get(FAILURE_TRAILER)?.[0];
  if (!raw || !(raw instanceof Buffer)) {
    // At the deadline the server may cancel the stream a moment before our own deadline timer
    // fires: a cancellation we did not ask for, once the deadline has passed, is the timeout.
    if (err.code === grpc.status.CANCELLED && deadline !== undefined && Date.now() >= deadline) {
      return new CallTimeoutError("no reply from " + target + " within the deadline");
    }
    switch (err.code) {
      case grpc.status.DEADLINE_EXCEEDED: return new CallTimeoutError("no reply from " + target + " within the deadline");
      case grpc.status.RESOURCE_EXHAUSTED: return new BadRequestError("refused by the node (message too large): " + err.details, "TOO_LARGE");
      case grpc.status.INVALID_ARGUMENT: return new BadRequestError(err.details);
      case grpc.status.UNAVAILABLE:
        return new ProcessCrashedError("the node is unreachable: " + err.details, undefined, { label: "noconnection" });
      default: return new RusmError(err.details || err.message, "KIND_UNSPECIFIED");
    }
  }
  const f = decodeFailure(raw);
  const kind = f.kind as FailureKind;
  const callId = Number(f.callId) || undefined;
  switch (kind) {
    case "CRASHED":
    case "NOCONNECTION":
      return new ProcessCrashedError(f.message, toPid(f.pid), kind === "NOCONNECTION" ? { label: "noconnection" } : toReason(f.reason), callId);
    case "NOPROC": return new NoProcessError(f.message, callId);
    case "TIMEOUT": return new CallTimeoutError(f.message, callId);
    case "MAILBOX_FULL": return new MailboxFullError(f.message, callId);
    case "FENCED": return new FencedError(f.message, toPid(f.pid), callId);
    case "BAD_REQUEST":
    case "NO_HANDLER":
    case "TOO_LARGE":
      return new BadRequestError(f.message, kind, callId);
    case "DECLARED": {
      const type: string = f.errorType;
      const simple = type.substring(type.lastIndexOf(".") + 1).replace(/^.*\$/, "");
      let details: unknown = undefined;
      if (f.errorJson) {
        try { details = JSON.parse(f.errorJson); } catch { /* keep undefined */ }
      }
      const ctor = declared?.[simple];
      if (ctor) {
        const e = new ctor(f.message);
        Object.assign(e, { details });
        return e;
      }
      return new DeclaredError(type, f.message, details, callId);
    }
    default: return new RusmError(f.message, kind, callId);
  }
}
