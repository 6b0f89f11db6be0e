package io.rusm.kv;

import io.rusm.Node;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The child JVM of {@link ReminderKillTest}: a node with the embedded store in DIR and the service
 * {@code reminded}, which prints {@code FIRED <name>} from its {@code onReminder}. Modes:
 * {@code register DIR MILLIS} registers reminder {@code r} due in MILLIS (then hourly) and prints
 * {@code REGISTERED}; {@code resume DIR} only starts the service (which re-arms what is stored) and
 * prints {@code NEXT <instant>}. Either way it then waits to be killed.
 */
public final class ReminderChildMain {
    static PrintStream out;

    @ResidentService("reminded")
    public static class Reminded {
        public void register(long inMillis) {
            ProcessContext.reminders().register("r", Instant.now().plusMillis(inMillis), Duration.ofHours(1));
        }

        public String nextDue() {
            return ProcessContext.reminders().nextDue("r").map(Instant::toString).orElse("none");
        }

        public void onReminder(String name) {
            out.println("FIRED " + name);
        }
    }

    @ServiceClient("reminded")
    public interface RemindedClient {
        void register(long inMillis);

        String nextDue();
    }

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        KvStore store = KvStore.embedded(Path.of(args[1]));
        Node node = Node.create();
        node.reminderStore(store::forComponent);
        node.spawnService(ServiceDefinition.of(Reminded.class), Reminded::new);
        RemindedClient client = node.client(RemindedClient.class);
        out.println("OPEN");
        switch (args[0]) {
            case "register" -> {
                client.register(Long.parseLong(args[2]));
                out.println("REGISTERED");
            }
            case "resume" -> out.println("NEXT " + client.nextDue());
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        while (System.in.read() >= 0) {
            // wait for the kill
        }
    }
}
