package io.rusm.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Programs outside the JVM that some demo tests drive (node with playwright-core and Debian's
 * chromium; prometheus and promtool). {@code .ci/run} installs them before {@code ./dev test}; on
 * CI ({@code CI=true}) a missing one fails the test with a clear message, on a developer machine
 * the test is skipped instead.
 */
final class ExternalTools {
    private ExternalTools() {}

    /** demo-app's directory (surefire's {@code basedir}, else the working directory). */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path e2eDir() {
        return moduleDir().resolve("src/test/e2e");
    }

    static Path targetDir(String sub) throws IOException {
        return Files.createDirectories(moduleDir().resolve("target").resolve(sub));
    }

    /** An executable: {@code override} (an absolute path, if set), else the first {@code name} on PATH. */
    static Optional<Path> executable(String name, String override) {
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Skips the test (developer machine) or fails it (CI) when {@code present} is false. */
    static void require(boolean present, String what, String howToInstall) {
        if (present) return;
        String message = what + " is missing. " + howToInstall + " (.ci/run installs it before ./dev test).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true, but " + message);
        }
        assumeTrue(false, message + " Skipping.");
    }

    /** A finished external command: exit code and everything it printed (stdout and stderr merged). */
    record Result(int exitCode, String output) {}

    /**
     * Runs {@code command} in {@code dir} with {@code stdin} (may be null), bounded by {@code timeout}:
     * past it the command and its children are killed and the test fails. Output also goes to {@code log}.
     */
    static Result run(List<String> command, Path dir, byte[] stdin, Duration timeout, Path log) throws IOException, InterruptedException {
        return run(command, Map.of(), dir, stdin, timeout, log);
    }

    /** {@link #run(List, Path, byte[], Duration, Path)} with extra environment variables. */
    static Result run(List<String> command, Map<String, String> env, Path dir, byte[] stdin, Duration timeout, Path log)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            destroyTree(p);
            fail(String.join(" ", command) + " did not finish within " + timeout + "; output:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Kills a process and everything it started; waits (bounded) for it to be gone. */
    static void destroyTree(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
