package io.larkway.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Typed reads of request fields with contract-style 400 messages. */
public final class Json {
    private Json() {
    }

    public static String text(JsonNode body, String field, String fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(field + " must be a string");
        }
        return v.asText();
    }

    /** A secret field of a PUT/POST body: absent, null or its masked form keeps {@code stored}; "" removes it. */
    public static String secret(JsonNode body, String field, String stored) {
        String v = text(body, field, stored);
        return v != null && stored != null && (v.equals(io.larkway.integration.SecretCipher.mask(stored)) || v.equals("****")) ? stored : v;
    }

    public static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field + " must be true or false");
        }
        return v.asBoolean();
    }

    /** Refuses a value longer than its column allows, as a 400 rather than a database error. */
    public static void maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.invalid(field + " is longer than " + max + " characters");
        }
    }

    public static String required(JsonNode body, String field, String fallback) {
        String v = text(body, field, fallback);
        if (v == null || v.isBlank()) {
            throw ApiException.invalid(field + " is required");
        }
        return v;
    }

    public static int integer(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isInt() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.invalid(field + " must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }

    public static <E extends Enum<E>> E oneOf(JsonNode body, String field, Class<E> type, E fallback) {
        String v = text(body, field, null);
        if (v == null) {
            return fallback;
        }
        return Arrays.stream(type.getEnumConstants()).filter(c -> c.name().equals(v)).findFirst()
                .orElseThrow(() -> ApiException.invalid(field + " must be one of " + Arrays.toString(type.getEnumConstants())));
    }

    public static List<String> strings(JsonNode body, String field, List<String> fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isArray()) {
            throw ApiException.invalid(field + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.invalid(field + " must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }
}
