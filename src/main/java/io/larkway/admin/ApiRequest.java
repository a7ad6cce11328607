package io.larkway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.camel.Exchange;

/** What a handler reads of a request: path and query parameters, the JSON body, paging. */
public final class ApiRequest {
    private final Exchange exchange;
    private final ObjectMapper json;
    private final byte[] raw;
    private JsonNode body;

    private ApiRequest(Exchange exchange, ObjectMapper json, byte[] raw) {
        this.exchange = exchange;
        this.json = json;
        this.raw = raw;
    }

    /** Reads the body once, refusing it over {@code maxBytes} (413). */
    public static ApiRequest of(Exchange e, ObjectMapper json, int maxBytes) {
        Long declared = e.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > maxBytes) {
            throw new ApiException(413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
        }
        byte[] raw = e.getIn().getBody(byte[].class);
        if (raw != null && raw.length > maxBytes) {
            throw new ApiException(413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
        }
        return new ApiRequest(e, json, raw == null ? new byte[0] : raw);
    }

    public String path(String name) {
        return param(name);
    }

    public String query(String name) {
        String v = param(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** A path or query parameter; NUL (which PostgreSQL refuses in text) is a 400, not a database error. */
    private String param(String name) {
        String v = exchange.getIn().getHeader(name, String.class);
        if (v != null && v.indexOf('\0') >= 0) {
            throw ApiException.invalid(name + " must not contain NUL characters");
        }
        return v;
    }

    public Page.Request page() {
        return Page.Request.of(query("pageToken"), query("pageSize"));
    }

    /** The body as a JSON object; malformed or not an object → 400. */
    public JsonNode body() {
        if (body == null) {
            if (raw.length == 0) {
                throw ApiException.invalid("a JSON body is required");
            }
            try {
                body = json.readTree(raw);
            } catch (IOException e) {
                throw ApiException.invalid("the body is not valid JSON");
            }
            if (body == null || !body.isObject()) {
                throw ApiException.invalid("the body must be a JSON object");
            }
        }
        return body;
    }
}
