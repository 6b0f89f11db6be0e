package io.rusm.wire.testapp;

/** A declared (checked) exception of the test counter. */
public class InsufficientFunds extends Exception {
    public InsufficientFunds(String message) {
        super(message);
    }
}
