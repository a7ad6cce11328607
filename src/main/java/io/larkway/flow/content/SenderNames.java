package io.larkway.flow.content;

import io.larkway.camel.IntegrationApps;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkApiException;
import io.larkway.camel.lark.client.LarkClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Senders' names ({@code GET /open-apis/contact/v3/users/{open_id}}, {@code data.user.name}), kept per integration
 * for an hour. When Lark refuses (an app without the contact permission, a user it does not show) the name is null and
 * the refusal is kept for ten minutes: without it every turn of such an app made one failing Lark call and one log line
 * per sender. A failure that may pass (Lark unreachable, 5xx, rate limited) is not kept. An auto-provisioned user gets the name too.
 */
@Component
public class SenderNames {
    private static final Logger LOG = LoggerFactory.getLogger(SenderNames.class);
    private static final Duration KEEP = Duration.ofHours(1);
    /** How long a refusal is kept before Lark is asked again. */
    static final Duration REFUSAL_KEPT = Duration.ofMinutes(10);
    private static final int MAX_KEPT = 100_000;

    /** A name, or null for a refusal, as of {@code at}. */
    private record Known(String name, Instant at) {
        boolean fresh(Instant now) {
            return at.plus(name == null ? REFUSAL_KEPT : KEEP).isAfter(now);
        }
    }

    private final LarkClient lark;
    private final IntegrationApps apps;
    private final JdbcClient db;
    private final Clock clock;
    private final Map<String, Known> names = new ConcurrentHashMap<>();

    public SenderNames(LarkClient lark, IntegrationApps apps, JdbcClient db, Clock clock) {
        this.lark = lark;
        this.apps = apps;
        this.db = db;
        this.clock = clock;
    }

    /** The user's name in the integration's tenant, or null when Lark refuses to say. */
    public String name(String integrationId, String openId) {
        if (openId == null || openId.isEmpty()) {
            return null;
        }
        String key = integrationId + " " + openId;
        Known known = names.get(key);
        Instant now = clock.instant();
        if (known != null && known.fresh(now)) {
            return known.name();
        }
        LarkApp app = apps.app(integrationId).orElse(null);
        if (app == null) {
            return null;
        }
        String name;
        try {
            name = lark.user(app, openId).path("name").asText("");
        } catch (RuntimeException e) {
            LarkApiException failure = LarkApiClient.unwrap(e);
            if (failure == null || failure.retryable()) {
                // Lark unreachable, 5xx, rate limited, a breaker open: asked again at the next turn
                LOG.info("Sender name unavailable integrationId={} open_id={}: {}", integrationId, openId, failure == null ? e.toString() : failure.getMessage());
                return null;
            }
            LOG.info("Sender name refused integrationId={} open_id={} (not asked again for {} min): {}", integrationId, openId,
                    REFUSAL_KEPT.toMinutes(), failure.getMessage());
            name = "";
        }
        if (names.size() >= MAX_KEPT) {
            names.clear();
        }
        names.put(key, new Known(name.isEmpty() ? null : name, now));
        if (name.isEmpty()) {
            return null;
        }
        db.sql("UPDATE lark_users SET name = ? WHERE integration_id = ? AND open_id = ? AND (name IS NULL OR name <> ?)")
                .params(name.length() > 200 ? name.substring(0, 200) : name, integrationId, openId, name).update();
        return name;
    }
}
