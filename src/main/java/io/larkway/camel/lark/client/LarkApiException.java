package io.larkway.camel.lark.client;

/**
 * A failed Open API call: the HTTP status and Lark's own {@code code}/{@code msg}
 * (code -1 when the call did not reach Lark or the answer was not Lark's JSON).
 */
public class LarkApiException extends RuntimeException {
    /** Token codes after which a tenant access token must be fetched again. */
    public static boolean isInvalidTokenCode(int code) {
        return code == 99991663 || code == 99991664 || code == 99991671;
    }

    private final int httpStatus;
    private final int code;

    public LarkApiException(int httpStatus, int code, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    public LarkApiException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.code = -1;
    }

    public int httpStatus() { return httpStatus; }

    public int code() { return code; }

    public boolean invalidToken() { return isInvalidTokenCode(code); }

    /** Worth another try later: network failure, 5xx or rate limiting; never a 4xx business error. */
    public boolean retryable() {
        return httpStatus == -1 || httpStatus >= 500 || httpStatus == 429 || code == 99991400;
    }
}
