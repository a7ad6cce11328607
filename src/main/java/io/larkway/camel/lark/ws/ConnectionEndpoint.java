package io.larkway.camel.lark.ws;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A long-connection endpoint handed out by {@code /callback/ws/endpoint}: the WebSocket URL (used
 * as given), the {@code device_id} and {@code service_id} read from its query by name, and the
 * server's client config.
 */
public record ConnectionEndpoint(String url, String deviceId, int serviceId, ClientConfig clientConfig) {

    /** Without the URL's query: it carries the access key and ticket. */
    @Override
    public String toString() {
        int q = url.indexOf('?');
        return "ConnectionEndpoint[" + (q < 0 ? url : url.substring(0, q)) + ", device_id=" + deviceId + ", service_id=" + serviceId + "]";
    }

    /** Reads device_id and service_id from the URL wherever they stand; a missing or non-numeric service_id fails. */
    public static ConnectionEndpoint of(String url, ClientConfig config) {
        String query;
        try {
            query = URI.create(url).getRawQuery();
        } catch (IllegalArgumentException e) {
            throw new LongConnectionException(false, -1, "endpoint URL is invalid");
        }
        String device = param(query, "device_id");
        String service = param(query, "service_id");
        int serviceId;
        try {
            serviceId = Integer.parseInt(service);
        } catch (NumberFormatException e) {
            throw new LongConnectionException(false, -1, "endpoint URL has no numeric service_id");
        }
        return new ConnectionEndpoint(url, device, serviceId, config);
    }

    private static String param(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The URL without its query (which carries the access key and ticket), for logs. */
    public String safeUrl() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
