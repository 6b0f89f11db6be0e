package io.rusm.wire;

import io.rusm.Node;
import io.rusm.wire.testapp.WireTestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS with client certificates: a node keyed by one keystore accepts only clients it trusts. */
class WireTlsTest {
    static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path dir;
    static Node node;
    static WireServer wire;
    static KeyStore nodeKeys;
    static KeyStore clientKeys;
    static KeyStore strangerKeys;

    @BeforeAll
    static void start() throws Exception {
        nodeKeys = keystore("node");
        clientKeys = keystore("client");
        strangerKeys = keystore("stranger");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("client", clientKeys.getCertificate("client"));
        node = Node.builder().name("java").build();
        ExternalServices external = new ExternalServices(node);
        WireTestApp.Start.tree(node, external);
        wire = WireServer.builder(node).port(0).externalServices(external).tls(keys(nodeKeys), trust(trusted)).start();
    }

    @AfterAll
    static void stop() {
        if (wire != null) wire.close();
        if (node != null) node.close();
    }

    @Test
    void aTrustedClientCertificateIsServed() throws Exception {
        try (WireClient client = WireClient.connectTls("localhost:" + wire.port(), trustOf(nodeKeys, "node"), keys(clientKeys))) {
            assertThat(client.<Long>call("counter", "bump", long.class, 1)).isPositive();
        }
    }

    @Test
    void aClientWithoutATrustedCertificateIsRefused() throws Exception {
        try (WireClient none = WireClient.connectTls("localhost:" + wire.port(), trustOf(nodeKeys, "node"), null);
             WireClient stranger = WireClient.connectTls("localhost:" + wire.port(), trustOf(nodeKeys, "node"), keys(strangerKeys))) {
            // refused at the handshake: the node is unreachable for them, as the TypeScript client says too
            assertThatThrownBy(() -> none.call("counter", "total", long.class)).isInstanceOf(io.rusm.ProcessCrashedException.class)
                    .extracting(e -> ((io.rusm.ProcessCrashedException) e).reason()).isEqualTo(io.rusm.ExitReason.NOCONNECTION);
            assertThatThrownBy(() -> stranger.call("counter", "total", long.class)).isInstanceOf(io.rusm.ProcessCrashedException.class)
                    .extracting(e -> ((io.rusm.ProcessCrashedException) e).reason()).isEqualTo(io.rusm.ExitReason.NOCONNECTION);
        }
    }

    /** A self-signed key pair for CN=localhost made by the JDK's keytool. */
    static KeyStore keystore(String alias) throws Exception {
        Path file = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    static KeyManagerFactory keys(KeyStore ks) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        return kmf;
    }

    static TrustManagerFactory trust(KeyStore ks) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    static TrustManagerFactory trustOf(KeyStore keys, String alias) throws Exception {
        KeyStore t = KeyStore.getInstance("PKCS12");
        t.load(null, null);
        t.setCertificateEntry(alias, keys.getCertificate(alias));
        return trust(t);
    }
}
