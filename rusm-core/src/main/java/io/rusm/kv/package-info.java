/**
 * Durable {@link io.rusm.Kv} stores: {@link io.rusm.kv.KvStore} opens the embedded store (an H2
 * MVStore file) or the JDBC one (a table in the application's database) and hands out the
 * namespaced {@code Kv} views. Everything else in this package is its machinery: group commit on a
 * dedicated writer thread and the two backends.
 */
package io.rusm.kv;
