package io.larkway.flow.dispatch;

import io.larkway.admin.Integration;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** With auto-provision on, the users who messaged the bot ({@code lark_users}), as dispatch sees them; the Users tab reads them (ops Directory). */
@Component
public class ProvisionedUsers {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionedUsers.class);

    private final JdbcClient db;
    private final Clock clock;

    public ProvisionedUsers(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Records a sender of an auto-provision integration (first and last seen). */
    public void seen(Integration integration, String openId) {
        if (!integration.autoProvision() || openId == null || openId.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        if (db.sql("UPDATE lark_users SET last_seen = ? WHERE integration_id = ? AND open_id = ?").params(Timestamps.of(now), integration.id(), openId)
                .update() == 0) {
            try {
                db.sql("INSERT INTO lark_users (integration_id, open_id, role_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)")
                        .params(integration.id(), openId, integration.autoProvisionRole(), Timestamps.of(now), Timestamps.of(now)).update();
                LOG.info("User provisioned integrationId={} open_id={}", integration.id(), openId);
            } catch (DuplicateKeyException raced) {
                // another delivery provisioned the same user at the same moment
            }
        }
    }
}
