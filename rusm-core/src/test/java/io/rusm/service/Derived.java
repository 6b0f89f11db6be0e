package io.rusm.service;

import io.rusm.ResidentService;

/** A public service whose handlers come from itself, a package-private base class and an interface default. */
@ResidentService("derived")
public class Derived extends PackagePrivateBase implements ServiceCallsTest.Greeter {
    public String own() {
        return "own";
    }
}
