package io.rusm.wire.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.rusm.CallTimeoutException;
import io.rusm.ExitReason;
import io.rusm.FencedException;
import io.rusm.MailboxFullException;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.ServiceDefinitionException;
import io.rusm.wire.BadRequestException;
import io.rusm.wire.RemoteCallException;
import io.rusm.wire.v1.Failure;

import java.time.Duration;

/**
 * The failure table on the wire, both ways: a Java failure becomes a gRPC status plus a
 * {@code rusm.v1.failure-bin} trailer holding a {@link Failure}; a received status becomes the
 * matching rusm exception. The table is in {@code rusm/v1/rusm.proto}.
 */
public final class Failures {
    public static final Metadata.Key<Failure> TRAILER = ProtoUtils.keyForProto(Failure.getDefaultInstance());

    private Failures() {}

    // ---- Java failure -> wire ----------------------------------------------------------------

    public static StatusRuntimeException toStatus(Throwable t, long callId) {
        Failure.Builder f = Failure.newBuilder().setCallId(callId).setMessage(String.valueOf(t.getMessage()));
        Status status;
        switch (t) {
            case ProcessCrashedException e -> {
                f.setKind(Failure.Kind.CRASHED).setPid(pid(e.pid())).setReason(reason(e.reason()));
                status = Status.INTERNAL;
            }
            case NoProcessException e -> {
                f.setKind(Failure.Kind.NOPROC);
                status = Status.NOT_FOUND;
            }
            case CallTimeoutException e -> {
                f.setKind(Failure.Kind.TIMEOUT);
                status = Status.DEADLINE_EXCEEDED;
            }
            case MailboxFullException e -> {
                f.setKind(Failure.Kind.MAILBOX_FULL);
                status = Status.RESOURCE_EXHAUSTED;
            }
            case FencedException e -> {
                f.setKind(Failure.Kind.FENCED).setPid(pid(e.pid()));
                status = Status.ABORTED;
            }
            case NoHandlerException e -> {
                f.setKind(Failure.Kind.NO_HANDLER);
                status = Status.NOT_FOUND;
            }
            case BadRequestException e -> {
                f.setKind(Failure.Kind.BAD_REQUEST);
                status = Status.INVALID_ARGUMENT;
            }
            // the service's own complaint about a message naming no handler (arity, version skew)
            case ServiceDefinitionException e -> {
                f.setKind(Failure.Kind.BAD_REQUEST);
                status = Status.INVALID_ARGUMENT;
            }
            case RemoteCallException e -> {
                f.setKind(Failure.Kind.DECLARED).setErrorType(e.remoteType()).setMessage(nullToEmpty(e.remoteMessage()));
                status = Status.FAILED_PRECONDITION;
            }
            default -> {
                // whatever else a call raises is a handler's declared exception
                f.setKind(Failure.Kind.DECLARED).setErrorType(t.getClass().getName()).setMessage(nullToEmpty(t.getMessage()));
                status = Status.FAILED_PRECONDITION;
            }
        }
        Metadata trailers = new Metadata();
        trailers.put(TRAILER, f.build());
        return status.withDescription(f.getMessage()).asRuntimeException(trailers);
    }

    public static io.rusm.wire.v1.Pid pid(Pid pid) {
        return io.rusm.wire.v1.Pid.newBuilder().setNode(pid.node()).setName(pid.name()).setIncarnation(pid.incarnation()).build();
    }

    public static io.rusm.wire.v1.ExitReason reason(ExitReason reason) {
        io.rusm.wire.v1.ExitReason.Builder r = io.rusm.wire.v1.ExitReason.newBuilder().setLabel(reason.label());
        switch (reason) {
            case ExitReason.Crashed c -> {
                Throwable cause = c.cause();
                if (cause instanceof RemoteCallException rc) {
                    r.setErrorType(rc.remoteType()).setMessage(nullToEmpty(rc.remoteMessage()));
                } else if (cause != null) {
                    r.setErrorType(cause.getClass().getName()).setMessage(nullToEmpty(cause.getMessage()));
                }
            }
            case ExitReason.MemoryLimit m -> r.setUsedBytes(m.usedBytes()).setLimitBytes(m.limitBytes());
            default -> { }
        }
        return r.build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    // ---- wire -> Java failure ----------------------------------------------------------------

    /** The rusm exception a failed call's status stands for. */
    public static Throwable fromStatus(StatusRuntimeException e, String target, Duration timeout) {
        Failure f = e.getTrailers() == null ? null : e.getTrailers().get(TRAILER);
        Status.Code code = e.getStatus().getCode();
        if (f == null) {
            return switch (code) {
                case DEADLINE_EXCEEDED -> new CallTimeoutException(target, timeout);
                case RESOURCE_EXHAUSTED -> new BadRequestException("refused by the node (message too large?): " + e.getStatus().getDescription(), e);
                case INVALID_ARGUMENT -> new BadRequestException(String.valueOf(e.getStatus().getDescription()), e);
                case UNAVAILABLE -> new ProcessCrashedException(new Pid("?", target, 1), ExitReason.NOCONNECTION);
                default -> new RemoteCallException("grpc." + code, e.getStatus().getDescription());
            };
        }
        Pid pid = f.hasPid() && f.getPid().getIncarnation() > 0 ? pid(f.getPid()) : null;
        return switch (f.getKind()) {
            case CRASHED, NOCONNECTION -> new ProcessCrashedException(pid != null ? pid : new Pid("?", target, 1), reason(f.getReason()));
            case NOPROC -> new NoProcessException(target);
            case TIMEOUT -> new CallTimeoutException(target, timeout);
            case MAILBOX_FULL -> new MailboxFullException(pid != null ? pid : new Pid("?", target, 1), -1);
            case FENCED -> new FencedException(pid != null ? pid : new Pid("?", target, 1), "call");
            case DECLARED -> declared(f.getErrorType(), f.getMessage());
            case BAD_REQUEST, NO_HANDLER, TOO_LARGE -> new BadRequestException(f.getMessage());
            default -> new RemoteCallException(f.getErrorType().isEmpty() ? "grpc." + code : f.getErrorType(), f.getMessage());
        };
    }

    /**
     * Throws {@code t} as it is, checked or not: a declared exception of a remote handler reaches the
     * caller as the same type, as a local call's would.
     */
    @SuppressWarnings("unchecked")
    public static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }

    public static Pid pid(io.rusm.wire.v1.Pid p) {
        return new Pid(p.getNode(), p.getName(), Math.max(1, p.getIncarnation()));
    }

    public static ExitReason reason(io.rusm.wire.v1.ExitReason r) {
        return switch (r.getLabel()) {
            case "normal" -> ExitReason.NORMAL;
            case "shutdown" -> ExitReason.SHUTDOWN;
            case "killed" -> ExitReason.KILLED;
            case "noproc" -> ExitReason.NOPROC;
            case "escalated" -> ExitReason.ESCALATED;
            case "noconnection" -> ExitReason.NOCONNECTION;
            case "fenced" -> ExitReason.FENCED;
            case "memoryLimit" -> new ExitReason.MemoryLimit(r.getUsedBytes(), r.getLimitBytes());
            case "crashed" -> ExitReason.crashed(new RemoteCallException(r.getErrorType(), r.getMessage()));
            // a reason from a newer peer that this build does not know travels as a crash cause
            default -> ExitReason.crashed(new RemoteCallException(r.getLabel(), r.getMessage()));
        };
    }

    /** A declared exception by name: the same type when it is on this classpath, else {@link RemoteCallException}. */
    static Throwable declared(String type, String message) {
        try {
            Class<?> c = Class.forName(type, false, Failures.class.getClassLoader());
            if (Exception.class.isAssignableFrom(c)) {
                // a checked one too: its caller's method declares it
                return (Exception) c.getConstructor(String.class).newInstance(message);
            }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException ignored) {
            // not rebuildable here: fall through
        }
        return new RemoteCallException(type, message);
    }

    /** Thrown by the dispatcher when a service has no handler of the requested name. */
    public static final class NoHandlerException extends BadRequestException {
        public NoHandlerException(String message) {
            super(message);
        }
    }
}
