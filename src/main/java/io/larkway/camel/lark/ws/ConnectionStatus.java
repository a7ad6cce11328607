package io.larkway.camel.lark.ws;

import java.time.Instant;

/**
 * A snapshot of one long connection on this instance.
 *
 * @param connectedSince  when the open socket was opened (null unless connected)
 * @param lastConnectedAt the last time a socket opened
 * @param failureCount    failed attempts since the last successful connect
 * @param nextReconnectAt when the next attempt is due (null unless retrying)
 */
public record ConnectionStatus(String integrationId, String instanceId, ConnectionState state, Instant connectedSince, Instant lastConnectedAt,
        String lastError, Instant lastErrorAt, int failureCount, Instant nextReconnectAt, Instant lastDeliveryAt, long received, long acked,
        long ackFailures, int pingIntervalSeconds) {

    /** Why this connection is down (health checks report it), or empty while it is not {@code unhealthy}. */
    public java.util.Optional<String> downReason() {
        return state == ConnectionState.unhealthy
                ? java.util.Optional.of(lastError == null ? "long connection unhealthy" : lastError)
                : java.util.Optional.empty();
    }
}
