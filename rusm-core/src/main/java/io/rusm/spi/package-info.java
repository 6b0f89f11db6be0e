/**
 * The seam a cluster plugs into a {@link io.rusm.Node} (see {@link io.rusm.spi.Placement}). The core
 * knows nothing of membership engines or transports: it asks a placement where a name runs, whether
 * it may start one here, and what ownership an incarnation must keep holding to act. Not for
 * applications; {@code rusm-cluster} implements it.
 */
package io.rusm.spi;
