/** Listener SPI through which integrations observe processes and calls. */
package io.rusm.event;
