package io.rusm.wire.internal;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.HostDisconnectedException;
import io.rusm.wire.v1.HostMessage;
import io.rusm.wire.v1.Invoke;
import io.rusm.wire.v1.NodeMessage;
import io.rusm.wire.v1.Result;
import io.rusm.wire.v1.Start;
import io.rusm.wire.v1.Stop;
import io.rusm.wire.v1.Welcome;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One host's {@code Attach} stream. The service's fiber sends one {@link Invoke} at a time and
 * waits for its {@link Result} (casts are acknowledged too), so at most one message per incarnation
 * is outstanding towards a host however slowly it reads. When the host reports an incarnation dead
 * ({@code Exited}) or the stream breaks, the Java incarnation is ended at once from here, without
 * waiting for its fiber: its in-flight and queued callers fail immediately.
 */
public final class HostSession implements StreamObserver<HostMessage> {
    private final ExternalServices services;
    private final Node node;
    private final ServerCallStreamObserver<NodeMessage> out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Result>> pending = new ConcurrentHashMap<>();
    private final Map<Long, Long> pendingIncarnation = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Void>> starting = new ConcurrentHashMap<>();
    /** Incarnations started on this host, by incarnation number. */
    private final Map<Long, Pid> running = new ConcurrentHashMap<>();
    private volatile String name;
    private volatile boolean closed;

    public HostSession(ExternalServices services, ServerCallStreamObserver<NodeMessage> out) {
        this.services = services;
        this.node = services.node();
        this.out = out;
        out.setOnCancelHandler(() -> close(null));
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void onNext(HostMessage m) {
        switch (m.getBodyCase()) {
            case HELLO -> {
                if (name != null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("hello sent twice"));
                    return;
                }
                String service = m.getHello().getService();
                String problem = services.register(service, this);
                if (problem != null) {
                    closed = true;
                    fail((services.isExternal(service) ? Status.ALREADY_EXISTS : Status.FAILED_PRECONDITION).withDescription(problem));
                    return;
                }
                name = service;
                send(NodeMessage.newBuilder().setWelcome(Welcome.newBuilder().setNode(node.name())).build());
            }
            case STARTED -> {
                CompletableFuture<Void> f = starting.remove(m.getStarted().getIncarnation());
                if (f != null) f.complete(null);
            }
            case RESULT -> {
                Result r = m.getResult();
                pendingIncarnation.remove(r.getId());
                CompletableFuture<Result> f = pending.remove(r.getId());
                if (f != null) f.complete(r);
            }
            case EXITED -> {
                long inc = m.getExited().getIncarnation();
                ExitReason reason = Failures.reason(m.getExited().getReason());
                ended(inc, reason);
            }
            case BODY_NOT_SET -> { }
        }
    }

    /** The host says incarnation {@code inc} died: end it here too, at once. */
    private void ended(long inc, ExitReason reason) {
        Pid pid = running.remove(inc);
        // First the process, with the host's reason; only then wake its fiber (whose fallout is then ignored).
        if (pid != null) node.exit(pid, reason);
        CompletableFuture<Void> s = starting.remove(inc);
        RuntimeException why = new HostExitedException(reason);
        if (s != null) s.completeExceptionally(why);
        pendingIncarnation.forEach((id, i) -> {
            if (i == inc) {
                pendingIncarnation.remove(id);
                CompletableFuture<Result> f = pending.remove(id);
                if (f != null) f.completeExceptionally(why);
            }
        });
    }

    @Override
    public void onError(Throwable t) {
        close(t);
    }

    @Override
    public void onCompleted() {
        close(null);
        synchronized (out) {
            try {
                out.onCompleted();
            } catch (RuntimeException ignored) {
                // already cancelled
            }
        }
    }

    private void close(Throwable t) {
        if (closed && name == null) return;
        closed = true;
        String n = name;
        if (n == null) return;
        services.unregister(n, this);
        HostDisconnectedException gone = new HostDisconnectedException("the host of service '" + n + "' disconnected"
                + (t == null ? "" : ": " + Status.fromThrowable(t).getCode()));
        for (Pid pid : running.values()) node.exit(pid, ExitReason.crashed(gone));
        running.clear();
        starting.values().forEach(f -> f.completeExceptionally(gone));
        starting.clear();
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
        pendingIncarnation.clear();
    }

    /** Starts fresh module state for {@code pid} on the host; waits up to {@code timeout}. */
    public void start(Pid pid, long maxMemoryMb, Duration timeout) throws InterruptedException {
        CompletableFuture<Void> f = new CompletableFuture<>();
        starting.put(pid.incarnation(), f);
        running.put(pid.incarnation(), pid);
        if (closed) f.completeExceptionally(new HostDisconnectedException("the host of service '" + name + "' disconnected"));
        send(NodeMessage.newBuilder().setStart(Start.newBuilder().setIncarnation(pid.incarnation()).setMaxMemoryMb(maxMemoryMb)).build());
        try {
            f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (TimeoutException e) {
            starting.remove(pid.incarnation());
            throw new HostDisconnectedException("the host of service '" + name + "' did not start incarnation "
                    + pid.incarnation() + " within " + timeout);
        }
    }

    /** Runs {@code method} on the host; the future completes with its {@link Result}. */
    public CompletableFuture<Result> invoke(Pid pid, String method, String argsJson) {
        long id = ids.incrementAndGet();
        CompletableFuture<Result> f = new CompletableFuture<>();
        pendingIncarnation.put(id, pid.incarnation());
        pending.put(id, f);
        if (closed) {
            pending.remove(id);
            f.completeExceptionally(new HostDisconnectedException("the host of service '" + name + "' disconnected"));
            return f;
        }
        send(NodeMessage.newBuilder().setInvoke(Invoke.newBuilder().setIncarnation(pid.incarnation()).setId(id)
                .setMethod(method).setArgsJson(argsJson)).build());
        return f;
    }

    /** The Java incarnation ended (stopped, killed, crashed): the host discards its state. */
    public void stopped(Pid pid) {
        if (running.remove(pid.incarnation(), pid)) {
            send(NodeMessage.newBuilder().setStop(Stop.newBuilder().setIncarnation(pid.incarnation())).build());
        }
    }

    private void send(NodeMessage m) {
        synchronized (out) {
            if (closed && !m.hasWelcome()) return;
            try {
                out.onNext(m);
            } catch (RuntimeException e) {
                // the stream was cancelled under us: onCancel closes the session
            }
        }
    }

    private void fail(Status status) {
        synchronized (out) {
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already cancelled
            }
        }
    }

    /** The host reported the incarnation dead while a message to it was outstanding. */
    public static final class HostExitedException extends RuntimeException {
        private final ExitReason reason;

        HostExitedException(ExitReason reason) {
            super("the host ended the incarnation: " + reason, null, false, false);
            this.reason = reason;
        }

        public ExitReason reason() {
            return reason;
        }
    }
}
