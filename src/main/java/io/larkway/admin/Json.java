package io.larkway.admin;

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
        return noNul(field, v.asText());
    }

    /** PostgreSQL refuses NUL in text: a 400 here, not a database error. */
    private static String noNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw ApiException.invalid(field + " must not contain NUL characters");
        }
        return value;
    }

    /** A secret field of a PUT/POST body: absent, null or its masked form keeps {@code stored}; "" removes it. */
    public static String secret(JsonNode body, String field, String stored) {
        String v = text(body, field, stored);
        return v != null && stored != null && (v.equals(io.larkway.admin.SecretCipher.mask(stored)) || v.equals("****")) ? stored : v;
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

    /**
     * Refuses a value longer than its column allows, as a 400 rather than a database error.
     * {@code VARCHAR(n)} counts characters on H2 and PostgreSQL; {@code length()} counts UTF-16
     * units, never fewer, so a value within {@code max} here fits a {@code VARCHAR(max)}.
     */
    public static void maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.invalid(field + " is longer than " + max + " characters");
        }
    }

    /** Refuses a value whose UTF-8 form is longer than {@code max} bytes (what is encrypted and stored), as a 400. */
    public static void maxUtf8Bytes(String field, String value, int max) {
        if (value != null && value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max) {
            throw ApiException.invalid(field + " is longer than " + max + " bytes in UTF-8");
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
            out.add(noNul(field, item.asText()));
        }
        return out;
    }
}
