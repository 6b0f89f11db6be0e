package io.rusm.kv;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The {@link KvContractTest} on the embedded (H2 MVStore) store. */
class EmbeddedKvContractTest extends KvContractTest {
    @TempDir
    Path dir;

    @Override
    protected KvStore openStore() {
        return KvStore.embedded(dir.resolve("kv"));
    }
}
