package io.rusm.kv;

import io.rusm.Node;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;

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
 * prints {@code NEXT <instant>}. Either way it then waits to be killed. With {@code on-demand} as a
 * fourth argument (or {@code idle DIR on-demand}), {@code reminded} is a non-resident child of a
 * supervisor instead: it runs only once something starts it, and {@code idle} starts nothing, so a
 * {@code FIRED} line there means the due reminder started the service.
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
        ServiceDefinition def = ServiceDefinition.of(Reminded.class);
        boolean onDemand = java.util.List.of(args).contains("on-demand");
        if (onDemand) {
            node.declareService(def);
            node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("reminded", () -> def.newBehavior(Reminded::new)).withResident(false)));
        } else {
            node.spawnService(def, Reminded::new);
        }
        RemindedClient client = node.client(RemindedClient.class);
        out.println("OPEN");
        switch (args[0]) {
            case "idle" -> out.println(node.whereis("reminded").isPresent() ? "RUNNING" : "IDLE");
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
