package io.rusm.spring.wire;

import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.RusmLifecycle;
import io.rusm.spring.wire.ext.ExternalConfig;
import io.rusm.spring.wire.ext.TsCounter;
import io.rusm.spring.wire.fixture.WireConfig;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.WireClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.rusm.spring.actuate.RusmHealthAutoConfiguration;
import io.rusm.spring.actuate.RusmMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire's auto-configuration: off without a port, on with one, and external components under the root. */
class RusmWireAutoConfigurationTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmWireAutoConfiguration.class))
            .withUserConfiguration(WireConfig.class);

    @Test
    void withoutAPortThereIsNoWire() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RusmWireLifecycle.class).doesNotHaveBean(ExternalServices.class);
        });
    }

    @Test
    void withoutRusmWireOnTheClasspathThereIsNoWire() {
        runner.withClassLoader(new FilteredClassLoader(io.rusm.wire.WireServer.class)).withPropertyValues("rusm.wire.port=0")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RusmWireLifecycle.class));
    }

    @Test
    void withAPortJavaServicesAnswerOverTheWire() {
        runner.withPropertyValues("rusm.wire.port=0").run(context -> {
            assertThat(context).hasNotFailed();
            RusmWireLifecycle wire = context.getBean(RusmWireLifecycle.class);
            assertThat(wire.isRunning()).isTrue();
            assertThat(wire.getPhase()).isGreaterThan(RusmLifecycle.PHASE);
            try (WireClient client = WireClient.connect("127.0.0.1:" + wire.server().port())) {
                assertThat(client.<Long>call("tally", "add", long.class, 5)).isEqualTo(5L);
            }
        });
    }

    @Test
    void anExternalComponentIsASupervisedProcessAnsweringNoProcessWhileNoHostIsAttached() {
        runner.withUserConfiguration(ExternalConfig.class).withPropertyValues("rusm.wire.port=0", "rusm.components.tscounter.runtime=external",
                "rusm.components.tscounter.max-memory-mb=64").run(context -> {
            assertThat(context).hasNotFailed();
            Node node = context.getBean(Node.class);
            assertThat(node.whereis("tscounter")).isPresent();
            assertThat(context.getBean(ExternalServices.class).declared("tscounter")).hasValueSatisfying(d -> {
                assertThat(d.maxMemoryMb()).isEqualTo(64);
                assertThat(d.returnTypes()).containsKey("bump(long)");
            });
            assertThatThrownBy(() -> context.getBean(TsCounter.class).bump(1)).isInstanceOf(NoProcessException.class);
        });
    }

    @Test
    void anExternalComponentIsALeafOfTheRusmHealthTreeLikeAJavaService() {
        runner.withConfiguration(AutoConfigurations.of(RusmHealthAutoConfiguration.class)).withUserConfiguration(ExternalConfig.class)
                .withPropertyValues("rusm.wire.port=0", "rusm.components.tscounter.runtime=external").run(context -> {
            assertThat(context).hasNotFailed();
            CompositeHealthContributor rusm = context.getBean("rusmHealthContributor", CompositeHealthContributor.class);
            Health leaf = ((HealthIndicator) rusm.getContributor("tscounter")).health();
            assertThat(leaf.getStatus()).isEqualTo(Status.UP);
            assertThat(leaf.getDetails()).containsEntry("state", "running").containsEntry("incarnation", 1L).containsEntry("restarts", 0L);
        });
    }

    @Test
    void callsToAnExternalComponentAreTaggedWithItsNameAndMethod() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, RusmMetricsAutoConfiguration.class))
                .withUserConfiguration(ExternalConfig.class)
                .withPropertyValues("rusm.wire.port=0", "rusm.components.tscounter.runtime=external").run(context -> {
            assertThat(context).hasNotFailed();
            assertThatThrownBy(() -> context.getBean(TsCounter.class).bump(1)).isInstanceOf(NoProcessException.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find("rusm.calls").tags("service", "tscounter", "method", "bump", "outcome", "noproc").timer())
                    .isNotNull().satisfies(t -> assertThat(t.count()).isEqualTo(1));
            assertThat(registry.find("rusm.mailbox.size").tag("service", "tscounter").gauge()).isNotNull();
        });
    }

    @Test
    void anSslBundleTurnsOnTlsWithClientCertificates(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("node.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        String location = "file:" + keystore;
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class)).withPropertyValues("rusm.wire.port=0",
                "rusm.wire.ssl-bundle=rusm", "spring.ssl.bundle.jks.rusm.keystore.location=" + location,
                "spring.ssl.bundle.jks.rusm.keystore.password=changeit", "spring.ssl.bundle.jks.rusm.keystore.type=PKCS12",
                "spring.ssl.bundle.jks.rusm.truststore.location=" + location, "spring.ssl.bundle.jks.rusm.truststore.password=changeit",
                "spring.ssl.bundle.jks.rusm.truststore.type=PKCS12").run(context -> {
            assertThat(context).hasNotFailed();
            int port = context.getBean(RusmWireLifecycle.class).server().port();
            try (WireClient withCert = WireClient.connectTls("localhost:" + port, tmf, kmf);
                 WireClient without = WireClient.connectTls("localhost:" + port, tmf, null)) {
                assertThat(withCert.<Long>call("tally", "add", long.class, 2)).isEqualTo(2L);
                assertThatThrownBy(() -> without.call("tally", "add", long.class, 2)).isInstanceOf(RuntimeException.class);
            }
        });
    }

    @Test
    void anUnknownSslBundleFailsStartupNamingTheProperty() {
        runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues("rusm.wire.port=0", "rusm.wire.ssl-bundle=missing").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOfSatisfying(RusmConfigurationException.class,
                    e -> assertThat(e.property()).isEqualTo("rusm.wire.ssl-bundle"));
        });
    }

    @Test
    void anExternalComponentWithoutTheWireFailsStartupNamingTheProperty() {
        runner.withUserConfiguration(ExternalConfig.class).withPropertyValues("rusm.components.tscounter.runtime=external").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOfSatisfying(RusmConfigurationException.class, e -> {
                assertThat(e.property()).isEqualTo("rusm.components.tscounter.runtime");
                assertThat(e.action()).contains("rusm.wire.port");
            });
        });
    }
}
