package io.larkway.lark;

import java.util.Objects;

/**
 * The credentials of one Lark/Feishu app and the Open API base URL it talks to, as used by
 * {@code owner} (the integration id; tenant tokens are never shared between owners, as two
 * organisations may register the same App ID). {@link #toString()} never shows the secret.
 */
public record LarkApp(String owner, String baseUrl, String appId, String appSecret) {
    public LarkApp {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appSecret, "appSecret");
    }

    /** An app no integration owns (yet): the credential check of a new integration. */
    public LarkApp(String baseUrl, String appId, String appSecret) {
        this("", baseUrl, appId, appSecret);
    }

    @Override
    public String toString() {
        return "LarkApp[" + appId + " @ " + baseUrl + "]";
    }
}
