package io.larkway.camel.lark.ws;

/**
 * How long connections behave (larkway sets these from {@code larkway.long-connection.*}).
 *
 * @param connectTimeoutMs                endpoint request, WebSocket connect and handshake
 * @param maxMessageBytes                 largest WebSocket message accepted
 * @param defaultPingIntervalSeconds      ping interval until the server's ClientConfig says otherwise
 * @param defaultReconnectIntervalSeconds reconnect interval until the server's ClientConfig says otherwise
 * @param defaultReconnectNonceSeconds    random extra delay before a reconnect, until the server says otherwise
 * @param partialTtlSeconds               how long parts of a multi-part frame wait for the rest
 * @param honourReconnectCount            give up after the server's reconnect count (else retry for ever)
 * @param probeTimeoutMs                  the verifier's endpoint-and-handshake budget
 */
public record ConnectionSettings(int connectTimeoutMs, int maxMessageBytes, int defaultPingIntervalSeconds, int defaultReconnectIntervalSeconds,
        int defaultReconnectNonceSeconds, int partialTtlSeconds, boolean honourReconnectCount, int probeTimeoutMs) {
}
