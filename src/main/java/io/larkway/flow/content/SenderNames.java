package io.larkway.flow.content;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.camel.IntegrationApps;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.client.LarkApiClient;
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
 * for an hour; null when Lark refuses (asked again at the next turn). An auto-provisioned user gets the name too.
 */
@Component
public class SenderNames {
    private static final Logger LOG = LoggerFactory.getLogger(SenderNames.class);
    private static final Duration KEEP = Duration.ofHours(1);
    private static final int MAX_KEPT = 100_000;

    private record Known(String name, Instant at) {
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
        if (known != null && known.at().plus(KEEP).isAfter(now)) {
            return known.name();
        }
        LarkApp app = apps.app(integrationId).orElse(null);
        if (app == null) {
            return null;
        }
        String name;
        try {
            JsonNode user = lark.user(app, openId);
            name = user.path("name").asText("");
            if (name.isEmpty()) {
                return null;
            }
        } catch (RuntimeException e) {
            LOG.info("Sender name unavailable integrationId={} open_id={}: {}", integrationId, openId, LarkApiClient.unwrap(e).getMessage());
            return null;
        }
        if (names.size() >= MAX_KEPT) {
            names.clear();
        }
        names.put(key, new Known(name, now));
        db.sql("UPDATE lark_users SET name = ? WHERE integration_id = ? AND open_id = ? AND (name IS NULL OR name <> ?)")
                .params(name.length() > 200 ? name.substring(0, 200) : name, integrationId, openId, name).update();
        return name;
    }
}
