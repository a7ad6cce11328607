package io.larkway.admin;

import io.larkway.camel.lark.LarkApp;
import java.time.Instant;

/** One registered Lark/Feishu app, secrets decrypted (in memory only; {@link #toString()} masks them). */
public record Integration(
        String id,
        String orgId,
        String name,
        String appId,
        String appSecret,
        String verificationToken,
        String encryptKey,
        ConnectionMode connectionMode,
        boolean international,
        String preferredLanguage,
        boolean autoProvision,
        String autoProvisionRole,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt) {

    public enum ConnectionMode {
        webhook, long_connection, sandbox
    }

    public boolean isLongConnection() {
        return connectionMode == ConnectionMode.long_connection;
    }

    public boolean isSandbox() {
        return connectionMode == ConnectionMode.sandbox;
    }

    /** The app's credentials at its Open API: Feishu's, Lark's, or larkway's own sandbox for a sandbox integration. */
    public LarkApp app(io.larkway.platform.LarkBaseUrls urls) {
        return new LarkApp(id, isSandbox() ? urls.sandbox(id) : urls.lark(international), appId, appSecret);
    }

    /** True when a change between the two versions needs the connection restarted. */
    public boolean connectionDiffers(Integration other) {
        return other == null || !appId.equals(other.appId) || !appSecret.equals(other.appSecret)
                || connectionMode != other.connectionMode || enabled != other.enabled || international != other.international;
    }

    @Override
    public String toString() {
        return "Integration[" + id + ", appId=" + appId + ", mode=" + connectionMode + ", enabled=" + enabled + "]";
    }
}
