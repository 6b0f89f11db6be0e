package io.rusm.spring.cluster;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code rusm.cluster.*}: how this instance joins the others. */
@ConfigurationProperties("rusm.cluster")
public class RusmClusterProperties {
    /** Form a cluster with the other instances (needs io.rusm:rusm-cluster on the classpath). */
    private boolean enabled;

    /** Only instances with the same cluster name join each other. */
    private String name = "rusm";

    /** Seed members, host:port of their membership ports (TCP/IP join). Empty: this instance alone. */
    private List<String> members = new ArrayList<>();

    /** The membership (Hazelcast) port. */
    private int port = 5701;

    /** The membership bind address; loopback unless set (never all interfaces unless set). */
    private String address = "127.0.0.1";

    /** Quorum: singletons run only on a side of a split with at least this many members. */
    private int minMembers = 1;

    /** A silent member is removed after this long (and its singletons start elsewhere). */
    private Duration failureTimeout = Duration.ofSeconds(10);

    /** This node's name in pids and health; default: address:port of its membership port. */
    private @Nullable String nodeName;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getMembers() {
        return members;
    }

    public void setMembers(List<String> members) {
        this.members = members;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public int getMinMembers() {
        return minMembers;
    }

    public void setMinMembers(int minMembers) {
        this.minMembers = minMembers;
    }

    public Duration getFailureTimeout() {
        return failureTimeout;
    }

    public void setFailureTimeout(Duration failureTimeout) {
        this.failureTimeout = failureTimeout;
    }

    /** {@code address:port} of this instance's membership port, as other members list it. */
    public String memberAddress() {
        return address + ":" + port;
    }

    /** The node name in pids: {@code node-name}, else {@link #memberAddress()}, which is unique in the cluster. */
    public String effectiveNodeName() {
        return nodeName != null && !nodeName.isBlank() ? nodeName : memberAddress();
    }

    public @Nullable String getNodeName() {
        return nodeName;
    }

    public void setNodeName(@Nullable String nodeName) {
        this.nodeName = nodeName;
    }
}
