package io.rusm.service;

/** A non-public base class: javac exposes its public methods on public subclasses through bridges. */
abstract class PackagePrivateBase {
    public String inherited() {
        return "inherited from a package-private base";
    }
}
