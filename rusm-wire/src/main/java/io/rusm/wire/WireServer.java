package io.rusm.wire;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.rusm.Node;
import io.rusm.wire.internal.RusmService;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The node's end of the one wire: the {@code rusm.v1.Rusm} gRPC service on its own port, through
 * which other programs (TypeScript, other nodes) call, cast to, look up and monitor this node's
 * services, and hosts attach {@linkplain ExternalServices external services}.
 *
 * <pre>{@code
 * try (WireServer wire = WireServer.builder(node).port(7701).start()) { ... }
 * }</pre>
 *
 * <p>Limits: a request over {@link Builder#maxMessageSize} is refused by gRPC with
 * {@code RESOURCE_EXHAUSTED} before it is decoded; each connection may have at most
 * {@link Builder#maxConcurrentCallsPerConnection} calls open, and gRPC's HTTP/2 flow control stops
 * reading from a client whose replies are not read, so a client that never reads cannot make the
 * node buffer without bound. Requests are decoded and checked on a virtual thread per call, never on
 * the service's fiber.
 */
public final class WireServer implements AutoCloseable {
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

    private final Server server;
    private final ExecutorService executor;
    private final ExternalServices external;

    private WireServer(Server server, ExecutorService executor, ExternalServices external) {
        this.server = server;
        this.executor = executor;
        this.external = external;
    }

    public static Builder builder(Node node) {
        return new Builder(node);
    }

    /** Configures a {@link WireServer}. */
    public static final class Builder {
        private final Node node;
        private String address = "127.0.0.1";
        private int port;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxConcurrentCallsPerConnection = 1024;
        private KeyManagerFactory keyManager;
        private TrustManagerFactory trustManager;
        private ExternalServices external;

        private Builder(Node node) {
            this.node = Objects.requireNonNull(node, "node");
        }

        /** Bind address; default loopback ({@code 127.0.0.1}). */
        public Builder address(String address) {
            this.address = Objects.requireNonNull(address);
            return this;
        }

        /** TCP port; 0 picks a free one ({@link #port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = port;
            return this;
        }

        /** Largest request accepted, in bytes (default 4 MB). */
        public Builder maxMessageSize(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("maxMessageSize must be positive");
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder maxConcurrentCallsPerConnection(int calls) {
            if (calls <= 0) throw new IllegalArgumentException("maxConcurrentCallsPerConnection must be positive");
            this.maxConcurrentCallsPerConnection = calls;
            return this;
        }

        /**
         * TLS with this key; with a trust manager too, clients must present a certificate it trusts
         * (mTLS).
         */
        public Builder tls(KeyManagerFactory keyManager, TrustManagerFactory trustManagerOrNull) {
            this.keyManager = Objects.requireNonNull(keyManager);
            this.trustManager = trustManagerOrNull;
            return this;
        }

        /** The node's external services (hosts attach them); default: a new, empty registry. */
        public Builder externalServices(ExternalServices external) {
            this.external = external;
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws UncheckedIOException if the port cannot be bound
         */
        public WireServer start() {
            ExternalServices ext = external != null ? external : new ExternalServices(node);
            ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rusm-wire-", 0).factory());
            NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
                    .executor(executor)
                    .maxInboundMessageSize(maxMessageSize)
                    .maxInboundMetadataSize(64 * 1024)
                    .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection)
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .addService(new RusmService(node, ext).definition());
            if (keyManager != null) {
                try {
                    SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager));
                    if (trustManager != null) ssl.trustManager(trustManager).clientAuth(ClientAuth.REQUIRE);
                    b.sslContext(ssl.build());
                } catch (SSLException e) {
                    executor.shutdown();
                    throw new IllegalStateException("cannot set up TLS for the rusm wire: " + e.getMessage(), e);
                }
            }
            Server server = b.build();
            try {
                server.start();
            } catch (IOException e) {
                executor.shutdown();
                throw new UncheckedIOException("cannot bind the rusm wire to " + address + ":" + port + ": " + e.getMessage(), e);
            }
            return new WireServer(server, executor, ext);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    public ExternalServices externalServices() {
        return external;
    }

    /** Stops accepting, gives open calls {@code grace} to finish, then cancels the rest. */
    public void shutdown(Duration grace) {
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(2));
    }
}
