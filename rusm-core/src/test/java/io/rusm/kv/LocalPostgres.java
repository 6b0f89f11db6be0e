package io.rusm.kv;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: {@code initdb} into a temp directory, {@code pg_ctl start}
 * on a free loopback port with its unix socket in that directory, a fresh database, and
 * {@code pg_ctl stop} plus removal of the directory at {@link #close()} (or, failing that, at JVM
 * exit). Independent of any cluster the Debian package may run on 5432.
 *
 * <p>Uses Debian's binaries under {@code /usr/lib/postgresql/<version>/bin} ({@code .ci/run} installs
 * the {@code postgresql} package). Missing binaries fail the test when {@code CI=true} and skip it
 * otherwise. PostgreSQL refuses to run as root, so as root the server commands run as the
 * {@code postgres} user through {@code runuser}.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final String USER = "rusm";
    private static final String DATABASE = "rusm_test";
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private final Path bin;
    private final Path home;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread stopAtExit;
    private boolean stopped;

    private LocalPostgres(Path bin, Path home, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.home = home;
        this.data = home.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.stopAtExit = new Thread(this::stopQuietly, "rusm-test-postgres-stop");
    }

    /** Starts a server, or fails (CI) / aborts (elsewhere) the calling test when PostgreSQL is not installed. */
    public static LocalPostgres start() throws Exception {
        Path bin = findBinaries();
        if (bin == null) {
            String how = "PostgreSQL server binaries not found under " + DEBIAN_ROOT + "/*/bin (initdb, pg_ctl). Install them with"
                    + " `apt-get update && apt-get install -y postgresql` (what .ci/run does).";
            if ("true".equals(System.getenv("CI"))) Assertions.fail(how + " CI=true, so this is a failure, not a skip.");
            Assumptions.abort(how + " Skipping the PostgreSQL tests.");
        }
        boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        Path home = Files.createTempDirectory("rusm-pg-");
        if (root) chownToPostgres(home);
        LocalPostgres pg = new LocalPostgres(bin, home, freePort(), root);
        Runtime.getRuntime().addShutdownHook(pg.stopAtExit);
        try {
            pg.initAndStart();
            pg.createDatabase();
        } catch (Throwable t) {
            pg.close();
            throw t;
        }
        return pg;
    }

    /** A data source for the test database (a new connection per {@code getConnection}). */
    /** The JDBC URL of the test database (user {@value #USER}, no password). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=" + USER;
    }

    public PGSimpleDataSource dataSource() {
        return dataSource(DATABASE);
    }

    /** Runs SQL in the test database. */
    public void execute(String sql) throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private PGSimpleDataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(USER);
        return ds;
    }

    private void initAndStart() throws Exception {
        run(server("initdb", "-D", data.toString(), "-U", USER, "--auth=trust", "--encoding=UTF8", "--no-sync"));
        run(server("pg_ctl", "-D", data.toString(), "-l", home.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1", "start"));
    }

    private void createDatabase() throws SQLException {
        try (Connection c = dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException ignored) {
            // the JVM is exiting: the hook runs anyway
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) return;
        stopped = true;
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                run(server("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
            }
        } catch (Exception e) {
            System.err.println("could not stop the test PostgreSQL in " + home + ": " + e);
        }
        deleteRecursively(home);
    }

    private List<String> server(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) command.addAll(List.of("runuser", "-u", "postgres", "--"));
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command to completion (bounded); its output goes to a file, so a daemon it forks cannot hold a pipe open. */
    private void run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("rusm-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + COMMAND_TIMEOUT_SECONDS + " s: " + String.join(" ", command)
                        + "\n" + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                String log = Files.exists(home.resolve("server.log")) ? "\nserver.log:\n" + Files.readString(home.resolve("server.log")) : "";
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + Files.readString(out) + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Path findBinaries() throws IOException {
        if (!Files.isDirectory(DEBIAN_ROOT)) return null;
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    private static Integer versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void chownToPostgres(Path dir) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal postgres = users.lookupPrincipalByName("postgres");
        GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(postgres);
        view.setGroup(group);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
