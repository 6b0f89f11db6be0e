package io.rusm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a test's servers on loopback that nothing else takes between the pick and the bind.
 *
 * <p>A port from {@code new ServerSocket(0)} comes from the kernel's ephemeral range, where every
 * outbound connection (Hazelcast members dialling each other, gRPC and HTTP clients) gets its local
 * port too: picked, closed and bound only later (a cluster lists every member's port before the
 * last one starts), it can be taken in between. CI saw exactly that: "Port [43871] is already in use
 * and auto-increment is disabled". These ports come from below that range, at random, each checked
 * free by a bind, and never twice in one JVM.
 */
public final class LoopbackPorts {
    private static final int LOWEST = 10_000;
    private static final Set<Integer> given = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {}

    /** A port no server of this JVM was given before, free now, outside the ephemeral range. */
    public static int reserve() {
        int below = ephemeralLow();
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (given.add(port) && bindable(port)) return port;
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + below);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port)); // every address: free on loopback too
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux: {@code ip_local_port_range}; 32768 otherwise). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1_000 ? low : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }
}
