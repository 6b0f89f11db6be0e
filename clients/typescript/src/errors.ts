/** Why a process ended, as Java's ExitReason (label: normal, shutdown, killed, crashed, memoryLimit, ...). */
export interface ExitReason {
  label: string;
  /** crashed: the cause's type (Java class name or TS error name) and message. */
  errorType?: string;
  message?: string;
  /** memoryLimit: bytes used and the cap. */
  usedBytes?: number;
  limitBytes?: number;
}

/** One incarnation of a process. */
export interface Pid {
  node: string;
  name: string;
  incarnation: number;
}

/** The failure kinds of rusm/v1/rusm.proto's Failure message. */
export type FailureKind =
  | "CRASHED" | "NOPROC" | "TIMEOUT" | "MAILBOX_FULL" | "DECLARED" | "FENCED"
  | "NOCONNECTION" | "BAD_REQUEST" | "NO_HANDLER" | "TOO_LARGE" | "KIND_UNSPECIFIED";

/** Base of every error a call, cast or lookup can raise (mirrors Java's RusmException). */
export class RusmError extends Error {
  constructor(message: string, readonly kind: FailureKind, readonly callId?: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** The callee crashed, was killed, ran out of its memory cap, or its node/host went away mid-call. */
export class ProcessCrashedError extends RusmError {
  constructor(message: string, readonly pid: Pid | undefined, readonly reason: ExitReason, callId?: number) {
    super(message, "CRASHED", callId);
  }
}

/** The service is not running (unknown name, stopped, escalated, between incarnations, no host attached). */
export class NoProcessError extends RusmError {
  constructor(message: string, callId?: number) {
    super(message, "NOPROC", callId);
  }
}

/** No reply within the timeout; a late reply is discarded. */
export class CallTimeoutError extends RusmError {
  constructor(message: string, callId?: number) {
    super(message, "TIMEOUT", callId);
  }
}

/** The callee's mailbox is full (back-pressure, at once). */
export class MailboxFullError extends RusmError {
  constructor(message: string, callId?: number) {
    super(message, "MAILBOX_FULL", callId);
  }
}

/** The calling incarnation had ended: nothing was done. */
export class FencedError extends RusmError {
  constructor(message: string, readonly pid: Pid | undefined, callId?: number) {
    super(message, "FENCED", callId);
  }
}

/** The request was refused before it reached the service (bad JSON, arguments, no such handler, too large). */
export class BadRequestError extends RusmError {
  constructor(message: string, kind: FailureKind = "BAD_REQUEST", callId?: number) {
    super(message, kind, callId);
  }
}

/**
 * An error the handler declares (Java: its `throws` clause; TypeScript: an exported Error class):
 * the service kept running with its state. `name` is the remote type's simple name
 * (`InsufficientFunds`), `type` its full name (`com.acme.InsufficientFunds`).
 */
export class DeclaredError extends RusmError {
  constructor(readonly type: string, message: string, readonly details: unknown, callId?: number) {
    super(message, "DECLARED", callId);
    this.name = type.substring(type.lastIndexOf(".") + 1).replace(/^.*\$/, "");
  }
}
