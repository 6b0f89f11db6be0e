package io.rusm.test;

import io.rusm.test.app.TallyClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link TemporaryKvFirstTests} and {@link TemporaryKvSecondTests} share: two
 * {@code @SpringBootTest} classes with different properties, so Spring's test context cache keeps
 * both applications open in one JVM, each with a Kv store of its own in a temporary directory.
 */
abstract class TemporaryKvContexts {
    @Autowired
    TallyClient tally;

    @Autowired
    Environment environment;

    void assertTemporaryStore() {
        Path kv = Path.of(environment.getRequiredProperty("rusm.kv.path"));
        assertThat(kv).startsWith(Path.of(System.getProperty("java.io.tmpdir"))).isDirectory();
        assertThat(Files.exists(Path.of("target/the-apps-own-rusm-data"))).as("the application's own store").isFalse();
    }
}
