package io.larkway.camel.lark;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One event as both ingresses see it after unwrapping Lark's envelope (v2 {@code schema:"2.0"}
 * with a {@code header}, or the older v1 with {@code uuid}/{@code type}/{@code ts} at the top).
 * Everything taken from the envelope is bounded: ids fit their columns, times are short digit
 * strings (never a general number: {@code "1e99999999"} must cost nothing to refuse).
 *
 * @param token the Verification Token the envelope carries (checked by the webhook, never stored)
 */
public record LarkEvent(String eventId, String eventType, Instant createTime, String appId, String messageId, String token, JsonNode event) {
    /** Longest event id, message id and event type kept (the {@code inbound_events} columns). */
    public static final int MAX_ID_LENGTH = 200;
    /** The event type of a card callback (a button or form in a card the bot sent). */
    public static final String CARD_ACTION = "card.action.trigger";
    /** Most digits of an epoch time (a {@code long} has 19). */
    public static final int MAX_DIGITS = 19;

    /** Normalises a decrypted envelope; throws {@link IllegalArgumentException} when it is neither v1 nor v2. */
    public static LarkEvent fromEnvelope(JsonNode envelope) {
        if (envelope == null || !envelope.isObject()) {
            throw new IllegalArgumentException("the envelope is not a JSON object");
        }
        JsonNode event = envelope.path("event");
        if (envelope.has("header") && envelope.path("header").isObject()) {
            JsonNode h = envelope.path("header");
            String id = bounded("header.event_id", h.path("event_id").asText(""));
            if (id.isEmpty()) {
                throw new IllegalArgumentException("header.event_id is missing");
            }
            String created = h.path("create_time").asText("");
            String type = bounded("header.event_type", h.path("event_type").asText(""));
            long time = created.isEmpty() ? 0 : epochDigits("header.create_time", created);
            // card callbacks give microseconds (events milliseconds): a card's time past the year 5138 in ms is one
            time = CARD_ACTION.equals(type) && time >= 100_000_000_000_000L ? time / 1000 : time;
            return new LarkEvent(id, type, created.isEmpty() ? null : Instant.ofEpochMilli(time), h.path("app_id").asText(null),
                    bounded("message_id", messageId(event)), token(envelope), event);
        }
        if (envelope.has("uuid") && envelope.path("type").asText("").equals("event_callback")) {
            String raw = envelope.path("ts").asText("");
            return new LarkEvent(bounded("uuid", envelope.path("uuid").asText()), bounded("event.type", event.path("type").asText("")),
                    raw.isEmpty() ? null : seconds(raw), event.path("app_id").asText(null),
                    bounded("open_message_id", event.path("open_message_id").asText(null)), token(envelope), event);
        }
        throw new IllegalArgumentException("not a Lark event envelope (neither schema 2.0 nor v1 event_callback)");
    }

    /** The Verification Token an envelope carries ({@code header.token} in v2, {@code token} in v1 and url_verification), read without parsing anything else. */
    public static String token(JsonNode envelope) {
        JsonNode header = envelope.path("header");
        JsonNode token = header.isObject() ? header.path("token") : envelope.path("token");
        return token.isTextual() ? token.asText() : null;
    }

    /**
     * A non-negative epoch time given as at most {@link #MAX_DIGITS} ASCII digits; anything else
     * (signs, exponents, fractions, longer strings) throws {@link IllegalArgumentException} naming {@code field}.
     */
    public static long epochDigits(String field, String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_DIGITS) {
            throw new IllegalArgumentException(field + " is not an epoch time (1 to " + MAX_DIGITS + " digits)");
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
                throw new IllegalArgumentException(field + " is not an epoch time (1 to " + MAX_DIGITS + " digits)");
            }
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) { // 19 digits above Long.MAX_VALUE
            throw new IllegalArgumentException(field + " is out of range");
        }
    }

    /** Whether this is a card callback rather than an event subscription. */
    public boolean isCardAction() {
        return CARD_ACTION.equals(eventType);
    }

    @Override
    public String toString() {
        return "LarkEvent[" + eventId + ", " + eventType + ", message_id=" + messageId + "]"; // never the token
    }

    /** v1 {@code ts}: epoch seconds with an optional fraction ({@code "1700000000.5"}). */
    private static Instant seconds(String raw) {
        int dot = raw.indexOf('.');
        String whole = dot < 0 ? raw : raw.substring(0, dot);
        long seconds = epochDigits("ts", whole);
        if (whole.length() > 12) { // below 10^12 s (year 33658) the millis cannot overflow
            throw new IllegalArgumentException("ts is out of range");
        }
        long millis = 0;
        if (dot >= 0) {
            String fraction = raw.substring(dot + 1);
            long digits = epochDigits("ts", fraction); // checks digits and length
            millis = fraction.length() >= 3 ? Long.parseLong(fraction.substring(0, 3)) : digits * (fraction.length() == 1 ? 100 : 10);
        }
        return Instant.ofEpochMilli(seconds * 1000 + millis);
    }

    /** An id or type within its column and free of NUL (PostgreSQL refuses it in text). */
    private static String bounded(String field, String value) {
        if (value != null && (value.length() > MAX_ID_LENGTH || value.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_ID_LENGTH + " characters or contains NUL");
        }
        return value;
    }

    private static String messageId(JsonNode event) {
        String id = event.path("message").path("message_id").asText("");
        return id.isEmpty() ? null : id;
    }
}
