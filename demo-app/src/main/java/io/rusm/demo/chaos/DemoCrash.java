package io.rusm.demo.chaos;

/** DEMO ONLY: the exception a demo crash throws in a service's handler, so logs and the page show where it came from. */
public final class DemoCrash extends RuntimeException {
    public DemoCrash(String why) {
        super(why);
    }
}
