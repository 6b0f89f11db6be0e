package io.rusm.kv;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * {@link KvChildMain} in a child JVM: the same {@code java} as this one, this JVM's class path. Its
 * stdout lines go to a consumer (on a reader thread), its stderr to a file shown on failures.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final Path stderr;
    private final List<String> otherLines = new CopyOnWriteArrayList<>();
    private volatile boolean open;

    private final List<String> command;

    private ChildJvm(List<String> command, Process process, Path stderr, Consumer<String> lines) {
        this.command = command;
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().name("child-jvm-stdout").daemon(true).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("OPEN")) open = true;
                    else if (!line.startsWith("ACKED ")) otherLines.add(line);
                    lines.accept(line);
                }
            } catch (IOException ignored) {
                // the child died
            }
        });
    }

    static ChildJvm start(Path workDir, Consumer<String> lines, String... args) throws IOException {
        return start(KvChildMain.class, workDir, lines, args);
    }

    /** Like {@link #start(Path, Consumer, String...)} with another main class (it must print {@code OPEN} too). */
    static ChildJvm start(Class<?> main, Path workDir, Consumer<String> lines, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath(), "-Xmx256m",
                main.getName()));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(workDir, "child-", ".err");
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new ChildJvm(command, p, stderr, lines);
    }

    private static String classPath;

    /**
     * This JVM's class path, with its directories (target/classes, target/test-classes) replaced by
     * copies taken once: the child loads classes lazily during its whole life, and a build running
     * concurrently in the same tree (another developer's) may meanwhile recompile those directories.
     */
    private static synchronized String classPath() throws IOException {
        if (classPath != null) return classPath;
        Path root = Files.createTempDirectory("rusm-child-classpath-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(root)));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.isDirectory(source)) {
                entries.add(entry);
                continue;
            }
            Path copy = root.resolve(String.valueOf(entries.size()));
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path target = copy.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) Files.createDirectories(target);
                    else Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            entries.add(copy.toString());
        }
        classPath = String.join(File.pathSeparator, entries);
        return classPath;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }

    /** Waits (bounded) until the child opened its store. */
    ChildJvm awaitOpen() {
        await("child JVM opened the store").atMost(Duration.ofSeconds(30)).until(() -> {
            if (!process.isAlive() && !open) throw new AssertionError("child JVM died before opening the store: " + diagnostics());
            return open;
        });
        return this;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9, then waits (bounded) for the death and for its last stdout line. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("child JVM survived kill -9");
        reader.join(Duration.ofSeconds(30));
    }

    int exitValue() {
        return process.exitValue();
    }

    String diagnostics() {
        try {
            if (!process.isAlive()) reader.join(Duration.ofSeconds(5)); // its last lines
            return "command " + command + ", exit=" + (process.isAlive() ? "running" : process.exitValue()) + ", stdout (other than ACKED) " + otherLines
                    + ", stderr:\n" + Files.readString(stderr);
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
