package io.larkway.admin;

/** An API failure with its HTTP status and contract error code; the message is safe to show. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String error;

    public ApiException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    public static ApiException invalid(String message) { return new ApiException(400, "invalid_request", message); }

    /** {@code what} names the caller's id: bounded, so a hostile path is not echoed (and logged) whole. */
    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", echo(what) + " not found");
    }

    private static final int MAX_ECHO = 200;

    /** A caller's value as an answer or a log line may repeat it: at most 200 characters. */
    public static String echo(String value) {
        return value == null || value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "…";
    }

    public static ApiException conflict(String message) { return new ApiException(409, "conflict", message); }

    public int status() { return status; }

    public String error() { return error; }
}
