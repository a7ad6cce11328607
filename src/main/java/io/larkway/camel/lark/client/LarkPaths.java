package io.larkway.camel.lark.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Caller-controlled values (message, reaction ids) inside Open API paths. */
public final class LarkPaths {
    private LarkPaths() {
    }

    /**
     * {@code value} as one path segment or query value: everything but letters, digits and
     * {@code -_*} percent-encoded, dots too (a segment {@code ..} would climb the path), so an id
     * with {@code /}, {@code ?}, {@code #} or {@code ..} never changes which endpoint is called.
     */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace(".", "%2E");
    }
}
