package io.rusm.spring.kv.remind;

import io.rusm.ProcessContext;
import io.rusm.ResidentService;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A service with reminders that only runs when something starts it ({@code resident: false}). */
@ResidentService("nightly")
public class Nightly {
    /** "incarnation:name" per delivery. */
    public static final BlockingQueue<String> FIRED = new LinkedBlockingQueue<>();

    public void onReminder(String name) {
        FIRED.add(ProcessContext.self().incarnation() + ":" + name);
    }
}
