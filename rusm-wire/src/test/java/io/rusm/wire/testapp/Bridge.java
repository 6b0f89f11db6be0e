package io.rusm.wire.testapp;

import io.rusm.ProcessCrashedException;
import io.rusm.ResidentService;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets a TypeScript test drive a Java {@code @ServiceClient} of the TS-hosted counter: each handler
 * makes the Java call and reports what the Java caller saw (the value, or the exception's class,
 * exit reason and cause).
 */
@ResidentService("bridge")
public class Bridge {
    private final TsCounterClient ts;

    public Bridge(TsCounterClient ts) {
        this.ts = ts;
    }

    public Map<String, Object> bump(long by) {
        return outcome(() -> ts.bump(by));
    }

    public Map<String, Object> total() {
        return outcome(ts::total);
    }

    public Map<String, Object> withdraw(long amount) {
        return outcome(() -> ts.withdraw(amount));
    }

    public Map<String, Object> crash(String why) {
        return outcome(() -> {
            ts.crash(why);
            return null;
        });
    }

    public Map<String, Object> grow(long megabytes) {
        return outcome(() -> ts.grow(megabytes));
    }

    public Map<String, Object> sleep(long millis, String marker) {
        return outcome(() -> ts.sleep(millis, marker));
    }

    interface Body {
        Object run() throws Exception;
    }

    static Map<String, Object> outcome(Body body) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            out.put("value", body.run());
        } catch (Exception e) {
            out.put("error", e.getClass().getSimpleName());
            out.put("message", e.getMessage());
            if (e instanceof ProcessCrashedException pce) {
                out.put("reason", pce.reason().label());
                if (pce.getCause() != null) out.put("cause", pce.getCause().getClass().getSimpleName() + ": " + pce.getCause().getMessage());
            }
        }
        return out;
    }
}
