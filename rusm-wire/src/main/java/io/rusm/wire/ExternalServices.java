package io.rusm.wire;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rusm.Behavior;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.event.ProcessListener;
import io.rusm.wire.internal.ExternalBehavior;
import io.rusm.wire.internal.HostSession;
import io.rusm.wire.v1.HostMessage;
import io.rusm.wire.v1.NodeMessage;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Services of this node whose code runs in another program (a {@code rusm-host} process running a
 * TypeScript module) attached over the wire. Each is a real rusm process under its supervisor: its
 * behavior (the supplier {@link #declare} returns) forwards every message to the attached host and waits on its fiber
 * for the reply, so supervision, restarts, intensity, health and metrics apply as to a Java service.
 *
 * <ul>
 *   <li>A thrown error the module does not declare, or the host's worker running out of its heap
 *       limit, ends the incarnation at once ({@code crashed} / {@code memoryLimit}); the supervisor
 *       restarts it and the host starts a fresh worker (fresh module state).</li>
 *   <li>The host's stream breaking (the host was killed, or its connection dropped) ends the
 *       incarnation it ran with {@code crashed(HostDisconnectedException)} at once: in-flight and
 *       queued callers get {@link io.rusm.ProcessCrashedException}.</li>
 *   <li><b>While no host is attached</b>, the process runs but every call to it fails at once with
 *       {@link io.rusm.NoProcessException} (and casts are dropped): callers never wait for a host
 *       that may never come, and a missing host causes no restart storm. The first call after a
 *       host attaches starts the incarnation's state on it.</li>
 * </ul>
 *
 * <p>Java callers use the service's {@code @ServiceClient} interface; its methods' return types tell
 * how to read the JSON replies ({@link #declare}).
 */
public final class ExternalServices {
    private final Node node;
    private final Map<String, Declared> declared = new ConcurrentHashMap<>();
    private final Map<String, HostSession> attached = new ConcurrentHashMap<>();

    /** What the node knows of one external service. */
    public record Declared(String name, long maxMemoryMb, Map<String, Type> returnTypes, Map<String, Class<?>> errorTypes) {}

    public ExternalServices(Node node) {
        this.node = node;
        node.addListener(new ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                if (!pid.node().equals(node.name())) return;
                HostSession s = attached.get(pid.name());
                if (s != null) s.stopped(pid);
            }
        });
    }

    /**
     * Declares {@code name} as an external service and returns the behavior supplier of its worker
     * (give it to a {@link io.rusm.WorkerSpec}).
     *
     * @param maxMemoryMb      the host worker's heap limit per incarnation (0: the host's default)
     * @param clientInterfaces its {@code @ServiceClient} interfaces, whose return types decode replies
     */
    public Supplier<Behavior> declare(String name, long maxMemoryMb, Collection<Class<?>> clientInterfaces) {
        Declared d = new Declared(name, maxMemoryMb, ExternalBehavior.returnTypes(clientInterfaces),
                ExternalBehavior.errorTypes(clientInterfaces));
        declared.put(name, d);
        return () -> new ExternalBehavior(this, d);
    }

    public Supplier<Behavior> declare(String name, long maxMemoryMb, Class<?>... clientInterfaces) {
        return declare(name, maxMemoryMb, List.of(clientInterfaces));
    }

    public boolean isExternal(String name) {
        return declared.containsKey(name);
    }

    public Optional<Declared> declared(String name) {
        return Optional.ofNullable(declared.get(name));
    }

    /** Whether a host is attached for {@code name}. */
    public boolean isAttached(String name) {
        return attached.containsKey(name);
    }

    public Node node() {
        return node;
    }

    /** For {@code ExternalBehavior}: the host attached now, or null. */
    public HostSession host(String name) {
        return attached.get(name);
    }

    /** For the wire's {@code Attach} method: one stream from a host. */
    public StreamObserver<HostMessage> attach(ServerCallStreamObserver<NodeMessage> out) {
        return new HostSession(this, out);
    }

    /** For {@link HostSession}: registers a host; false if the name is not external or taken. */
    public String register(String name, HostSession session) {
        if (!declared.containsKey(name)) {
            return "service '" + name + "' is not declared external on node " + node.name()
                    + " (set rusm.components." + name + ".runtime: external)";
        }
        HostSession other = attached.putIfAbsent(name, session);
        return other == null ? null : "another host is already attached for service '" + name + "'";
    }

    public void unregister(String name, HostSession session) {
        attached.remove(name, session);
    }
}
