package io.larkway.lark;

import java.util.Objects;

/**
 * The credentials of one Lark/Feishu app and the Open API base URL it talks to.
 * {@link #toString()} never shows the secret.
 */
public record LarkApp(String baseUrl, String appId, String appSecret) {
    public LarkApp {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(appSecret, "appSecret");
    }

    @Override
    public String toString() {
        return "LarkApp[" + appId + " @ " + baseUrl + "]";
    }
}
