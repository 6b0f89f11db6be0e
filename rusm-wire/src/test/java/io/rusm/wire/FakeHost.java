package io.rusm.wire;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.rusm.wire.internal.RusmV1;
import io.rusm.wire.v1.ExitReason;
import io.rusm.wire.v1.Exited;
import io.rusm.wire.v1.Hello;
import io.rusm.wire.v1.HostMessage;
import io.rusm.wire.v1.NodeMessage;
import io.rusm.wire.v1.Result;
import io.rusm.wire.v1.Started;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host written in Java against the raw Attach protocol, for tests that need to kill hosts faster
 * than Node can start them: a counter ({@code bump}, {@code total}) whose state resets on every Start.
 * {@link #crashNext} makes its next invocation end the incarnation (as a thrown error would);
 * {@link #die} breaks the stream (as a killed host process does).
 */
final class FakeHost {
    final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    final AtomicLong served = new AtomicLong();
    private final AtomicBoolean crashNext = new AtomicBoolean();
    private final ClientCallStreamObserver<HostMessage> out;
    private long count;

    FakeHost(ManagedChannel channel, String service) {
        CompletableFuture<ClientCallStreamObserver<HostMessage>> request = new CompletableFuture<>();
        ClientResponseObserver<HostMessage, NodeMessage> in = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<HostMessage> r) {
                request.complete(r);
            }

            @Override
            public void onNext(NodeMessage m) {
                handle(m);
            }

            @Override
            public void onError(Throwable t) {
                welcomed.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
        ClientCalls.asyncBidiStreamingCall(channel.newCall(RusmV1.ATTACH, CallOptions.DEFAULT), in);
        out = request.join();
        send(HostMessage.newBuilder().setHello(Hello.newBuilder().setService(service).setRuntime("java test host")).build());
    }

    private synchronized void handle(NodeMessage m) {
        switch (m.getBodyCase()) {
            case WELCOME -> welcomed.complete(null);
            case START -> {
                count = 0;
                send(HostMessage.newBuilder().setStarted(Started.newBuilder().setIncarnation(m.getStart().getIncarnation())).build());
            }
            case INVOKE -> {
                var inv = m.getInvoke();
                if (crashNext.getAndSet(false)) {
                    send(HostMessage.newBuilder().setExited(Exited.newBuilder().setIncarnation(inv.getIncarnation())
                            .setReason(ExitReason.newBuilder().setLabel("crashed").setErrorType("Error").setMessage("crash on purpose"))).build());
                    return;
                }
                String json = switch (inv.getMethod()) {
                    case "bump" -> Long.toString(count += Long.parseLong(inv.getArgsJson().replaceAll("[\\[\\]\\s]", "")));
                    case "total" -> Long.toString(count);
                    default -> null;
                };
                Result.Builder r = Result.newBuilder().setIncarnation(inv.getIncarnation()).setId(inv.getId());
                if (json == null) r.setBadRequest("no handler " + inv.getMethod());
                else r.setResultJson(json);
                send(HostMessage.newBuilder().setResult(r).build());
                served.incrementAndGet();
            }
            default -> { }
        }
    }

    void crashNext() {
        crashNext.set(true);
    }

    /** The host process dies: its stream breaks without a goodbye. */
    void die() {
        out.cancel("host killed", null);
    }

    private void send(HostMessage m) {
        synchronized (out) {
            out.onNext(m);
        }
    }
}
