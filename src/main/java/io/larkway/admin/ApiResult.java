package io.larkway.admin;

/** A handler's answer when it is not a plain 200 with a body. */
public record ApiResult(int status, Object body) {
    public static final ApiResult NO_CONTENT = new ApiResult(204, null);

    public static ApiResult created(Object body) {
        return new ApiResult(201, body);
    }
}
