package io.rusm.cluster;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.rusm.CallTimeoutException;
import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.RusmException;
import io.rusm.ServiceDefinition;
import io.rusm.event.CallOutcome;
import io.rusm.internal.service.Handler;
import io.rusm.internal.service.Invocation;
import io.rusm.spi.Route;
import io.rusm.wire.internal.Failures;
import io.rusm.wire.internal.Json;
import io.rusm.wire.internal.RusmV1;
import io.rusm.wire.v1.CallRequest;
import io.rusm.wire.v1.Caller;
import io.rusm.wire.v1.CastRequest;
import io.rusm.wire.v1.WhereisRequest;

import java.lang.reflect.Type;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The way to a cluster-placed name (a singleton, or a key of a keyed service): to the member that
 * owns the name's partition, this node included. A call follows the current owner: while there is
 * none (handover, failover, no quorum) or the owner has not started it yet, the call waits and looks
 * again, within its own timeout. A call that reached a node which is then lost fails with
 * {@code noconnection} and is never retried (at most once).
 */
final class OwnerRoute implements Route {
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Node node;
    private final Membership membership;
    private final Channels channels;
    private final AtomicLong callIds = new AtomicLong();

    OwnerRoute(Node node, Membership membership, Channels channels) {
        this.node = node;
        this.membership = membership;
        this.channels = channels;
    }

    @Override
    public Object call(String name, Pid target, Object request, Duration timeout) {
        boolean[] servedHere = {false};
        long t0 = System.nanoTime();
        Throwable failure = null;
        try {
            return attempt(name, target, request, timeout, servedHere);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            // a call that found the owner here was timed as a local call already
            if (!servedHere[0]) node.runtime().listeners.remoteCallFinished(name, request, System.nanoTime() - t0, CallOutcome.of(failure));
        }
    }

    private Object attempt(String name, Pid target, Object request, Duration timeout, boolean[] servedHere) {
        Invocation inv = invocation(name, request);
        String args = Json.write(inv.args());
        long start = System.nanoTime();
        long deadline = start + Math.min(timeout.toNanos(), Duration.ofDays(365).toNanos());
        long backoff = TimeUnit.MILLISECONDS.toNanos(2);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new CallTimeoutException(name, timeout);
            Member owner = membership.quorum() ? membership.ownerOf(name) : null;
            if (owner != null && owner.local()) {
                // it runs here, or is about to: a local call (its start, or a key's activation, is part of this call's timeout)
                Pid here = target != null ? target : node.startOnDemand(name, Duration.ofNanos(left)).orElse(null);
                if (here != null) {
                    servedHere[0] = true;
                    try {
                        return node.call(here, request, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                    } catch (NoProcessException e) {
                        if (target != null) throw e; // that incarnation is gone
                        // it ended between its start and this call (a handover): look again
                    }
                }
                sleep(Math.min(backoff, Math.max(1, deadline - System.nanoTime())));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                continue;
            }
            if (owner != null && owner.wire() != null) {
                CallRequest.Builder req = CallRequest.newBuilder().setService(name).setMethod(inv.method()).setArgsJson(args)
                        .setCallId(callIds.incrementAndGet()).setCaller(caller());
                if (target != null) req.setTarget(Failures.pid(target));
                try {
                    String json = ClientCalls.blockingUnaryCall(channels.to(owner.wire()), RusmV1.CALL,
                            CallOptions.DEFAULT.withDeadlineAfter(left, TimeUnit.NANOSECONDS), req.build()).getResultJson();
                    return Json.read(json, returnType(name, inv));
                } catch (StatusRuntimeException e) {
                    if (!notServedYet(e) || target != null) throw Failures.<RuntimeException>rethrow(Failures.fromStatus(e, name, timeout));
                    // the owner does not run it yet, or it was not reachable before the call was sent: look again
                }
            }
            sleep(Math.min(backoff, left));
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(String name, Object request, Duration timeout) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Thread.ofVirtual().name("rusm-remote-call").start(() -> {
            try {
                f.complete(call(name, null, request, timeout));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    @Override
    public void send(String name, Object message) {
        Invocation inv = invocation(name, message);
        Member owner = membership.quorum() ? membership.ownerOf(name) : null;
        if (owner == null || owner.wire() == null) return; // no owner now: dropped, as a send to a stopped service
        if (owner.local()) {
            node.startOnDemand(name, node.defaultCallTimeout()).ifPresent(pid -> node.send(pid, message));
            return;
        }
        CastRequest req = CastRequest.newBuilder().setService(name).setMethod(inv.method()).setArgsJson(Json.write(inv.args()))
                .setCallId(callIds.incrementAndGet()).setCaller(caller()).build();
        try {
            ClientCalls.blockingUnaryCall(channels.to(owner.wire()), RusmV1.CAST,
                    CallOptions.DEFAULT.withDeadlineAfter(node.defaultCallTimeout().toNanos(), TimeUnit.NANOSECONDS), req);
        } catch (StatusRuntimeException e) {
            Throwable t = Failures.fromStatus(e, name, node.defaultCallTimeout());
            if (t instanceof RusmException r && !(t instanceof NoProcessException)) throw r;
        }
    }

    @Override
    public Optional<Pid> whereis(String name) {
        Member owner = membership.quorum() ? membership.ownerOf(name) : null;
        if (owner == null || owner.local() || owner.wire() == null) return Optional.empty();
        try {
            var reply = ClientCalls.blockingUnaryCall(channels.to(owner.wire()), RusmV1.WHEREIS,
                    CallOptions.DEFAULT.withDeadlineAfter(node.defaultCallTimeout().toNanos(), TimeUnit.NANOSECONDS),
                    WhereisRequest.newBuilder().setName(name).build());
            return reply.hasPid() ? Optional.of(Failures.pid(reply.getPid())) : Optional.empty();
        } catch (StatusRuntimeException e) {
            return Optional.empty(); // unreachable now: nothing known to run there
        }
    }

    private Caller caller() {
        return Caller.newBuilder().setPid(Failures.pid(node.runtime().callerPid())).build();
    }

    /** NOPROC from the owner (not started there yet), or a connection refused before anything was sent. */
    private static boolean notServedYet(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.NOT_FOUND) {
            var f = e.getTrailers() == null ? null : e.getTrailers().get(Failures.TRAILER);
            return f != null && f.getKind() == io.rusm.wire.v1.Failure.Kind.NOPROC;
        }
        if (code != Status.Code.UNAVAILABLE) return false;
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) if (c instanceof ConnectException) return true;
        return false;
    }

    private static Invocation invocation(String name, Object request) {
        if (request instanceof Invocation inv) return inv;
        throw new RusmException("'" + name + "' runs on another node: only calls through its service client (handlers named"
                + " by method) cross nodes, not a " + (request == null ? "null" : request.getClass().getName()) + " message");
    }

    private Type returnType(String name, Invocation inv) {
        ServiceDefinition def = node.serviceDefinition(name).orElse(null);
        Handler h = def == null ? null : def.handlerTable().find(inv.handler());
        return h == null ? Object.class : h.method().getGenericReturnType();
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.rusm.CallInterruptedException("remote call");
        }
    }
}
