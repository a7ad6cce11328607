package io.larkway.lark;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One event as both ingresses see it after unwrapping Lark's envelope (v2 {@code schema:"2.0"}
 * with a {@code header}, or the older v1 with {@code uuid}/{@code type}/{@code ts} at the top).
 *
 * @param token the Verification Token the envelope carries (checked by the webhook, never stored)
 */
public record LarkEvent(String eventId, String eventType, Instant createTime, String appId, String messageId, String token, JsonNode event) {

    /** Normalises a decrypted envelope; throws {@link IllegalArgumentException} when it is neither v1 nor v2. */
    public static LarkEvent fromEnvelope(JsonNode envelope) {
        if (envelope == null || !envelope.isObject()) {
            throw new IllegalArgumentException("the envelope is not a JSON object");
        }
        JsonNode event = envelope.path("event");
        if (envelope.has("header") && envelope.path("header").isObject()) {
            JsonNode h = envelope.path("header");
            String id = h.path("event_id").asText("");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("header.event_id is missing");
            }
            return new LarkEvent(id, h.path("event_type").asText(""), millis(h.path("create_time")), h.path("app_id").asText(null),
                    messageId(event), h.path("token").asText(null), event);
        }
        if (envelope.has("uuid") && envelope.path("type").asText("").equals("event_callback")) {
            Instant ts = null;
            String raw = envelope.path("ts").asText("");
            if (!raw.isEmpty()) {
                try {
                    ts = Instant.ofEpochMilli(new BigDecimal(raw).movePointRight(3).longValue());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ts is not a number");
                }
            }
            return new LarkEvent(envelope.path("uuid").asText(), event.path("type").asText(""), ts, event.path("app_id").asText(null),
                    event.path("open_message_id").asText(null), envelope.path("token").asText(null), event);
        }
        throw new IllegalArgumentException("not a Lark event envelope (neither schema 2.0 nor v1 event_callback)");
    }

    @Override
    public String toString() {
        return "LarkEvent[" + eventId + ", " + eventType + ", message_id=" + messageId + "]"; // never the token
    }

    private static String messageId(JsonNode event) {
        String id = event.path("message").path("message_id").asText("");
        return id.isEmpty() ? null : id;
    }

    private static Instant millis(JsonNode value) {
        String raw = value.asText("");
        if (raw.isEmpty()) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("header.create_time is not a number");
        }
    }
}
