package io.rusm.wire;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ClientCalls;
import io.rusm.Pid;
import io.rusm.wire.internal.Failures;
import io.rusm.wire.internal.Json;
import io.rusm.wire.internal.RusmV1;
import io.rusm.wire.v1.CallReply;
import io.rusm.wire.v1.CallRequest;
import io.rusm.wire.v1.CastRequest;
import io.rusm.wire.v1.WhereisReply;
import io.rusm.wire.v1.WhereisRequest;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Java caller of another node's services over the wire (plaintext; the cluster will add TLS and
 * typed proxies on top). Failures arrive as the same exceptions a local call raises (see the table
 * in {@code rusm/v1/rusm.proto}).
 */
public final class WireClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final Duration defaultTimeout;
    private final AtomicLong callIds = new AtomicLong();

    private WireClient(ManagedChannel channel, Duration defaultTimeout) {
        this.channel = channel;
        this.defaultTimeout = defaultTimeout;
    }

    /** Connects (lazily) to {@code host:port}. */
    public static WireClient connect(String target) {
        return connect(target, Duration.ofSeconds(5), WireServer.DEFAULT_MAX_MESSAGE_SIZE);
    }

    public static WireClient connect(String target, Duration defaultTimeout, int maxMessageSize) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(maxMessageSize).build();
        return new WireClient(channel, defaultTimeout);
    }

    /**
     * Connects over TLS, trusting {@code trust}; with {@code clientKey} it presents that certificate
     * (for a node that requires client certificates).
     */
    public static WireClient connectTls(String target, TrustManagerFactory trust, KeyManagerFactory clientKeyOrNull) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(trust);
            if (clientKeyOrNull != null) ssl.keyManager(clientKeyOrNull);
            ManagedChannel channel = NettyChannelBuilder.forTarget(target).sslContext(ssl.build())
                    .maxInboundMessageSize(WireServer.DEFAULT_MAX_MESSAGE_SIZE).build();
            return new WireClient(channel, Duration.ofSeconds(5));
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Calls {@code service.method(args)} and reads the reply as {@code returnType}. */
    public <R> R call(String service, String method, Type returnType, Duration timeout, Object... args) {
        return callJson(service, method, returnType, timeout, Json.write(args));
    }

    public <R> R call(String service, String method, Type returnType, Object... args) {
        return call(service, method, returnType, defaultTimeout, args);
    }

    /** Like {@link #call} with the arguments given as JSON text (any text: the node checks it). */
    @SuppressWarnings("unchecked")
    public <R> R callJson(String service, String method, Type returnType, Duration timeout, String argsJson) {
        CallRequest req = CallRequest.newBuilder().setService(service).setMethod(method).setArgsJson(argsJson)
                .setCallId(callIds.incrementAndGet()).build();
        try {
            CallReply reply = ClientCalls.blockingUnaryCall(channel, RusmV1.CALL,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS), req);
            return (R) Json.read(reply.getResultJson(), returnType);
        } catch (StatusRuntimeException e) {
            throw Failures.<RuntimeException>rethrow(Failures.fromStatus(e, service, timeout));
        }
    }

    /** Sends without waiting for the handler; false if no process ran under the name (dropped). */
    public boolean cast(String service, String method, Object... args) {
        CastRequest req = CastRequest.newBuilder().setService(service).setMethod(method).setArgsJson(Json.write(args))
                .setCallId(callIds.incrementAndGet()).build();
        try {
            return ClientCalls.blockingUnaryCall(channel, RusmV1.CAST,
                    CallOptions.DEFAULT.withDeadlineAfter(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS), req).getDelivered();
        } catch (StatusRuntimeException e) {
            throw Failures.<RuntimeException>rethrow(Failures.fromStatus(e, service, defaultTimeout));
        }
    }

    public Optional<Pid> whereis(String name) {
        try {
            WhereisReply r = ClientCalls.blockingUnaryCall(channel, RusmV1.WHEREIS,
                    CallOptions.DEFAULT.withDeadlineAfter(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS),
                    WhereisRequest.newBuilder().setName(name).build());
            return r.hasPid() ? Optional.of(Failures.pid(r.getPid())) : Optional.empty();
        } catch (StatusRuntimeException e) {
            throw Failures.<RuntimeException>rethrow(Failures.fromStatus(e, name, defaultTimeout));
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
