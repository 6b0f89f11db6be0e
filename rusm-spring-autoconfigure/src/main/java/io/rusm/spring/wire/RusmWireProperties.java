package io.rusm.spring.wire;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The rusm wire: the gRPC port other languages (and, with the cluster, other nodes) call. */
@ConfigurationProperties("rusm.wire")
public class RusmWireProperties {
    /** TCP port of the rusm.v1 gRPC service; the wire is off unless set (0 picks a free port). */
    private @Nullable Integer port;

    /** Bind address; loopback unless set. */
    private String address = "127.0.0.1";

    /** Largest request accepted; larger ones fail with RESOURCE_EXHAUSTED before they are decoded. */
    private DataSize maxMessageSize = DataSize.ofMegabytes(4);

    /** Calls a single connection may have open at once. */
    private int maxConcurrentCallsPerConnection = 1024;

    /**
     * A Spring Boot SSL bundle (spring.ssl.bundle.*) for TLS; when the bundle has a trust store,
     * clients must present a certificate it trusts (mTLS).
     */
    private @Nullable String sslBundle;

    public @Nullable Integer getPort() {
        return port;
    }

    public void setPort(@Nullable Integer port) {
        this.port = port;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public DataSize getMaxMessageSize() {
        return maxMessageSize;
    }

    public void setMaxMessageSize(DataSize maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    public int getMaxConcurrentCallsPerConnection() {
        return maxConcurrentCallsPerConnection;
    }

    public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
        this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
    }

    public @Nullable String getSslBundle() {
        return sslBundle;
    }

    public void setSslBundle(@Nullable String sslBundle) {
        this.sslBundle = sslBundle;
    }
}
