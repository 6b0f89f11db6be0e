package io.rusm.wire.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rusm.Behavior;
import io.rusm.ExitReason;
import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.v1.CallReply;
import io.rusm.wire.v1.CallRequest;
import io.rusm.wire.v1.CastReply;
import io.rusm.wire.v1.CastRequest;
import io.rusm.wire.v1.Down;
import io.rusm.wire.v1.HostMessage;
import io.rusm.wire.v1.MonitorEvent;
import io.rusm.wire.v1.MonitorRequest;
import io.rusm.wire.v1.NodeMessage;
import io.rusm.wire.v1.WhereisReply;
import io.rusm.wire.v1.WhereisRequest;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** The server side of {@code rusm.v1.Rusm} on one node. */
public final class RusmService {
    private final Node node;
    private final ExternalServices external;
    private final JsonDispatch dispatch;

    public RusmService(Node node, ExternalServices external) {
        this.node = node;
        this.external = external;
        this.dispatch = new JsonDispatch(node, external::isExternal);
    }

    /**
     * A call from another node of the cluster is served here or not at all: if this node does not run
     * the name and places it elsewhere, the caller's view is stale, and it looks again (NOPROC) rather
     * than this node forwarding (which could bounce between two stale views).
     */
    private void notForwarded(String service) {
        var placement = node.placement().orElse(null);
        if (placement != null && node.runtime().byName(service) == null && !placement.mayStartHere(service) && placement.route(service) != null) {
            throw new io.rusm.NoProcessException(service);
        }
    }

    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(RusmV1.SERVICE)
                .addMethod(RusmV1.CALL, ServerCalls.asyncUnaryCall(this::call))
                .addMethod(RusmV1.CAST, ServerCalls.asyncUnaryCall(this::cast))
                .addMethod(RusmV1.WHEREIS, ServerCalls.asyncUnaryCall(this::whereis))
                .addMethod(RusmV1.MONITOR, ServerCalls.asyncServerStreamingCall(this::monitor))
                .addMethod(RusmV1.ATTACH, ServerCalls.asyncBidiStreamingCall(this::attach))
                .build();
    }

    private void call(CallRequest req, StreamObserver<CallReply> out) {
        long id = req.getCallId();
        JsonDispatch.Prepared prepared;
        try {
            prepared = dispatch.prepare(req.getService(), req.getMethod(), req.getArgsJson());
            if (req.hasTarget()) checkTarget(req.getService(), Failures.pid(req.getTarget()));
            if (req.hasCaller()) notForwarded(req.getService());
        } catch (Throwable t) {
            out.onError(Failures.toStatus(t, id));
            return;
        }
        Duration timeout = timeout();
        CompletableFuture<Object> reply;
        try {
            reply = node.callAsync(req.getService(), prepared.message(), timeout);
        } catch (Throwable t) {
            out.onError(Failures.toStatus(t, id));
            return;
        }
        reply.whenComplete((result, failure) -> {
            if (failure != null) {
                out.onError(Failures.toStatus(unwrap(failure), id));
                return;
            }
            String json;
            try {
                json = result instanceof RawJson raw ? raw.json() : Json.write(result);
            } catch (RuntimeException e) {
                out.onError(Failures.toStatus(new io.rusm.wire.BadRequestException("the reply of " + req.getService() + "."
                        + req.getMethod() + " cannot be written as JSON: " + e.getMessage()), id));
                return;
            }
            out.onNext(CallReply.newBuilder().setResultJson(json).build());
            out.onCompleted();
        });
    }

    /** The call's gRPC deadline is its timeout; without one, the node's default. */
    private Duration timeout() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) return node.defaultCallTimeout();
        return Duration.ofNanos(Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
    }

    private void checkTarget(String service, Pid target) {
        Optional<Pid> current = node.whereis(service);
        if (current.isEmpty() || !current.get().equals(target)) throw new NoProcessException(target.toString());
    }

    private void cast(CastRequest req, StreamObserver<CastReply> out) {
        try {
            JsonDispatch.Prepared prepared;
            try {
                prepared = dispatch.prepare(req.getService(), req.getMethod(), req.getArgsJson());
                if (req.hasTarget()) checkTarget(req.getService(), Failures.pid(req.getTarget()));
            } catch (NoProcessException e) {
                // a cast to a service that is not running is dropped, not an error
                out.onNext(CastReply.newBuilder().setDelivered(false).build());
                out.onCompleted();
                return;
            }
            boolean running = node.whereis(req.getService()).isPresent();
            node.send(req.getService(), prepared.message());
            out.onNext(CastReply.newBuilder().setDelivered(running).build());
            out.onCompleted();
        } catch (Throwable t) {
            out.onError(Failures.toStatus(t, req.getCallId()));
        }
    }

    private void whereis(WhereisRequest req, StreamObserver<WhereisReply> out) {
        WhereisReply.Builder reply = WhereisReply.newBuilder();
        node.whereis(req.getName()).ifPresent(pid -> reply.setPid(Failures.pid(pid)));
        out.onNext(reply.build());
        out.onCompleted();
    }

    /**
     * A watcher process per stream monitors the target and forwards its one {@link io.rusm.Down};
     * cancelling the stream kills the watcher, which ends the monitor with it.
     */
    private void monitor(MonitorRequest req, StreamObserver<MonitorEvent> out) {
        ServerCallStreamObserver<MonitorEvent> stream = (ServerCallStreamObserver<MonitorEvent>) out;
        Pid target = switch (req.getTargetCase()) {
            case NAME -> node.whereis(req.getName()).orElse(null);
            case PID -> Failures.pid(req.getPid());
            case TARGET_NOT_SET -> null;
        };
        if (target == null) {
            if (req.getTargetCase() == MonitorRequest.TargetCase.TARGET_NOT_SET) {
                out.onError(Status.INVALID_ARGUMENT.withDescription("monitor needs a name or a pid").asRuntimeException());
                return;
            }
            out.onNext(MonitorEvent.newBuilder().setDown(Down.newBuilder()
                    .setPid(io.rusm.wire.v1.Pid.newBuilder().setNode(node.name()).setName(req.getName()))
                    .setReason(Failures.reason(ExitReason.NOPROC))).build());
            out.onCompleted();
            return;
        }
        CompletableFuture<Void> announced = new CompletableFuture<>();
        Behavior forward = message -> {
            if (message instanceof io.rusm.Down down) {
                announced.join(); // `monitoring` goes first; it is sent right after the monitor is set
                synchronized (stream) {
                    stream.onNext(MonitorEvent.newBuilder().setDown(Down.newBuilder().setPid(Failures.pid(down.pid()))
                            .setReason(Failures.reason(down.reason()))).build());
                    stream.onCompleted();
                }
                ProcessContext.stopSelf(ExitReason.NORMAL);
            }
            return null;
        };
        Pid watcher = node.spawn(forward);
        stream.setOnCancelHandler(() -> node.exit(watcher, ExitReason.KILLED));
        node.monitor(watcher, target);
        synchronized (stream) {
            stream.onNext(MonitorEvent.newBuilder().setMonitoring(Failures.pid(target)).build());
        }
        announced.complete(null);
    }

    private StreamObserver<HostMessage> attach(StreamObserver<NodeMessage> out) {
        return external.attach((ServerCallStreamObserver<NodeMessage>) out);
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }
}
