package io.larkway.admin;

/** Who is calling the API: the bootstrap admin, or an organisation through one of its keys. */
public record Caller(String orgId, boolean admin) {
    public static final Caller ADMIN = new Caller(null, true);

    /** The caller's organisation; admin-only callers have none. */
    public String requireOrg() {
        if (orgId == null) {
            throw new ApiException(403, "forbidden", "this call needs an organisation API key, not the admin key");
        }
        return orgId;
    }

    public void requireAdmin() {
        if (!admin) {
            throw new ApiException(403, "forbidden", "this call needs the admin key");
        }
    }
}
