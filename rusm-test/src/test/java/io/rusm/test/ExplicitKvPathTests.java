package io.rusm.test;

import io.rusm.test.app.TallyApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A test that chooses its store keeps it: the temporary one is only a default. */
@SpringBootTest(classes = TallyApp.class)
class ExplicitKvPathTests {
    @TempDir
    static Path mine;

    @DynamicPropertySource
    static void kv(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> mine.resolve("kv").toString());
    }

    @Autowired
    Environment environment;

    @Test
    void aPathTheTestSetsWins() {
        assertThat(environment.getProperty("rusm.kv.path")).isEqualTo(mine.resolve("kv").toString());
    }
}
