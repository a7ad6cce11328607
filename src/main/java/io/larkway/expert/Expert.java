package io.larkway.expert;

import java.time.Instant;

/** A Digital Expert: a named endpoint that answers a conversation turn. The API key is decrypted, in memory only. */
public record Expert(String id, String orgId, String name, Type type, String url, String model, String apiKey, String uri,
        Instant createdAt, Instant updatedAt) {

    public enum Type { echo, openai, http, camel }

    @Override
    public String toString() {
        return "Expert[" + id + ", " + type + "]";
    }
}
