package io.larkway.camel.lark.ws;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server's connection policy for a long connection, in seconds, as Lark sends it in
 * {@code data.ClientConfig} of the endpoint answer and in pong payloads.
 *
 * @param reconnectCount    reconnect attempts after a drop; -1 = forever
 * @param reconnectInterval seconds between reconnect attempts after the first
 * @param reconnectNonce    the first attempt waits a random 0..this many seconds (spreads a reconnect storm)
 * @param pingInterval      seconds between pings
 */
public record ClientConfig(int reconnectCount, int reconnectInterval, int reconnectNonce, int pingInterval) {

    /** The official SDKs' defaults, used until the server says otherwise. */
    public static final ClientConfig SDK_DEFAULTS = new ClientConfig(-1, 120, 30, 120);

    /** This config with the fields present in {@code json} ({@code ReconnectCount}, … ) taken over; null or non-objects change nothing. */
    public ClientConfig merge(JsonNode json) {
        if (json == null || !json.isObject()) {
            return this;
        }
        return new ClientConfig(intField(json, "ReconnectCount", reconnectCount), intField(json, "ReconnectInterval", reconnectInterval),
                intField(json, "ReconnectNonce", reconnectNonce), intField(json, "PingInterval", pingInterval));
    }

    private static int intField(JsonNode json, String name, int fallback) {
        JsonNode v = json.get(name);
        return v != null && v.canConvertToInt() ? v.asInt() : fallback;
    }
}
