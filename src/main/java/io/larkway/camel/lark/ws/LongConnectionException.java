package io.larkway.camel.lark.ws;

import java.util.Locale;
import java.util.Map;

/**
 * A failure to obtain or open a long connection, classified as Lark's SDKs do: {@link #fatal()}
 * failures (bad credentials, forbidden, connection limit, unknown codes) need an operator and
 * must not be retried; the others (system busy, internal error, network, plain HTTP errors) are
 * retried with the server's reconnect policy.
 */
public class LongConnectionException extends RuntimeException {
    public static final int SYSTEM_BUSY = 1;
    public static final int FORBIDDEN = 403;
    public static final int AUTH_FAILED = 514;
    public static final int INTERNAL_ERROR = 1000040343;
    public static final int EXCEED_CONN_LIMIT = 1000040350;

    private final boolean fatal;
    private final int code;

    public LongConnectionException(boolean fatal, int code, String message) {
        super(message);
        this.fatal = fatal;
        this.code = code;
    }

    public LongConnectionException(String message, Throwable cause) {
        super(message, cause);
        this.fatal = false;
        this.code = -1;
    }

    public boolean fatal() { return fatal; }

    public int code() { return code; }

    /** A non-zero {@code code} of the endpoint API: 1 and 1000040343 are retryable, anything else is fatal. */
    public static LongConnectionException endpointCode(int code, String msg) {
        boolean retryable = code == SYSTEM_BUSY || code == INTERNAL_ERROR;
        String what = switch (code) {
            case SYSTEM_BUSY -> "system busy";
            case FORBIDDEN -> "forbidden";
            case AUTH_FAILED -> "authentication failed (check App ID and App Secret)";
            case EXCEED_CONN_LIMIT -> "connection limit reached";
            default -> "endpoint refused";
        };
        return new LongConnectionException(!retryable, code, what + ": " + (msg == null || msg.isBlank() ? "code " + code : msg) + " (code " + code + ")");
    }

    /**
     * A rejected WebSocket upgrade. Headers {@code Handshake-Status}, {@code Handshake-Msg},
     * {@code Handshake-Autherrcode} are matched case-insensitively: status 403 is fatal, 514 with
     * autherrcode 1000040350 (connection limit) is fatal, anything else is retried.
     */
    public static LongConnectionException handshake(int httpStatus, Map<String, String> headers) {
        String status = headerIgnoreCase(headers, "handshake-status");
        String msg = headerIgnoreCase(headers, "handshake-msg");
        String authCode = headerIgnoreCase(headers, "handshake-autherrcode");
        int code;
        try {
            code = status == null ? httpStatus : Integer.parseInt(status.trim());
        } catch (NumberFormatException e) {
            code = httpStatus;
        }
        String text = msg == null || msg.isBlank() ? "HTTP " + httpStatus : msg;
        if (status != null && code == FORBIDDEN) {
            return new LongConnectionException(true, code, "handshake forbidden: " + text + " (status 403)");
        }
        if (status != null && code == AUTH_FAILED && String.valueOf(EXCEED_CONN_LIMIT).equals(authCode == null ? null : authCode.trim())) {
            return new LongConnectionException(true, EXCEED_CONN_LIMIT, "connection limit reached: " + text + " (code " + EXCEED_CONN_LIMIT + ")");
        }
        return new LongConnectionException(false, code, "handshake failed: " + text + " (status " + code
                + (authCode == null ? "" : ", autherrcode " + authCode) + ")");
    }

    private static String headerIgnoreCase(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
