package io.rusm.test;

import io.rusm.test.app.TallyApp;
import io.rusm.test.app.TallyClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One of two {@code @SpringBootTest} classes with different properties, so Spring's test context
 * cache keeps both applications open in one JVM: each has a Kv store of its own in a temporary
 * directory, neither touches the application's {@code rusm.kv.path}.
 */
@SpringBootTest(classes = TallyApp.class, properties = "rusm.call-timeout=3s")
class TemporaryKvFirstTests {
    @Autowired
    TallyClient tally;

    @Autowired
    Environment environment;

    @Test
    void eachContextHasItsOwnTemporaryStore() {
        assertThat(tally.add(2)).isEqualTo(2);
        assertThat(tally.add(3)).isEqualTo(5);
        assertTemporaryStore(environment);
    }

    static void assertTemporaryStore(Environment environment) {
        Path kv = Path.of(environment.getRequiredProperty("rusm.kv.path"));
        assertThat(kv).startsWith(Path.of(System.getProperty("java.io.tmpdir"))).isDirectory();
        assertThat(Files.exists(Path.of("target/the-apps-own-rusm-data"))).as("the application's own store").isFalse();
    }
}
