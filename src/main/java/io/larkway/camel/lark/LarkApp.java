package io.larkway.camel.lark;

import java.util.Objects;

/**
 * The credentials of one Lark/Feishu app and the Open API base URL it talks to, as used by
 * {@code owner} (the integration id; tenant tokens are never shared between owners, as two
 * organisations may register the same App ID). {@link #toString()} never shows the secret.
 */
public record LarkApp(String owner, String baseUrl, String appId, String appSecret) {
    public LarkApp {
        owner = owner == null ? "" : owner; // an integration not saved yet (the credential test)
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appSecret, "appSecret");
    }

    /** An app no integration owns. */
    public LarkApp(String baseUrl, String appId, String appSecret) {
        this("", baseUrl, appId, appSecret);
    }

    @Override
    public String toString() {
        return "LarkApp[" + appId + " @ " + baseUrl + "]";
    }
}
