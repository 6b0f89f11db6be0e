package io.rusm.demo.tally;

/**
 * What {@link Tally#add} answers: the key's new total and the node whose process added it, in one
 * round trip. A plain record: it crosses the wire as JSON when the key runs on another node.
 */
public record Added(long total, String node) {}
