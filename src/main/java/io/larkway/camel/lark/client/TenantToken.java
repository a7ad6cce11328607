package io.larkway.camel.lark.client;

import java.time.Instant;

/** A tenant access token and the instant after which it must not be used any more. */
public record TenantToken(String value, Instant refreshAt) {
    @Override
    public String toString() {
        return "TenantToken[refreshAt=" + refreshAt + "]";
    }
}
