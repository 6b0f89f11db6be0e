package io.rusm.cluster;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rusm.ExitReason;
import io.rusm.MonitorRef;
import io.rusm.wire.internal.Failures;
import io.rusm.wire.internal.RusmV1;
import io.rusm.wire.v1.MonitorEvent;
import io.rusm.wire.v1.MonitorRequest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Monitors of processes on other nodes, each a {@code Monitor} stream on that node's wire: the
 * stream's {@code down} is the remote reason; a stream that breaks (the node died, or left and its
 * channel was dropped) is {@code noconnection}.
 */
final class RemoteMonitors {
    private final Membership membership;
    private final Channels channels;
    private final ConcurrentHashMap<MonitorRef, Watch> watches = new ConcurrentHashMap<>();

    RemoteMonitors(Membership membership, Channels channels) {
        this.membership = membership;
        this.channels = channels;
    }

    private static final class Watch {
        final AtomicBoolean done = new AtomicBoolean();
        final Consumer<ExitReason> onDown;
        volatile ClientCall<MonitorRequest, MonitorEvent> call;

        Watch(Consumer<ExitReason> onDown) {
            this.onDown = onDown;
        }

        void down(ExitReason reason) {
            if (done.compareAndSet(false, true)) onDown.accept(reason);
        }
    }

    void monitor(MonitorRef ref, Consumer<ExitReason> onDown) {
        Watch w = new Watch(onDown);
        Member m = membership.byNode(ref.target().node());
        if (m == null || m.wire() == null) { // not a member (any more): as if it had gone
            w.down(ExitReason.NOCONNECTION);
            return;
        }
        watches.put(ref, w);
        ClientCall<MonitorRequest, MonitorEvent> call = channels.to(m.wire()).newCall(RusmV1.MONITOR, CallOptions.DEFAULT);
        w.call = call;
        ClientCalls.asyncServerStreamingCall(call, MonitorRequest.newBuilder().setPid(Failures.pid(ref.target())).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(MonitorEvent e) {
                        if (e.hasDown()) {
                            watches.remove(ref);
                            w.down(Failures.reason(e.getDown().getReason()));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        watches.remove(ref);
                        w.down(ExitReason.NOCONNECTION);
                    }

                    @Override
                    public void onCompleted() {
                        watches.remove(ref);
                        w.down(ExitReason.NOCONNECTION); // no-op after a down
                    }
                });
    }

    void demonitor(MonitorRef ref) {
        Watch w = watches.remove(ref);
        if (w == null) return;
        w.done.set(true); // no Down after a demonitor
        ClientCall<MonitorRequest, MonitorEvent> call = w.call;
        if (call != null) call.cancel("demonitored", null);
    }

    int size() {
        return watches.size();
    }
}
