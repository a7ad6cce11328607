package io.larkway.camel;

import io.larkway.camel.lark.ws.ConnectionCommandLog;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Operator actions on long connections, shared through the database so that every instance carries them out. */
@Component
public class ConnectionCommands implements ConnectionCommandLog {
    private final JdbcClient db;
    private final Clock clock;

    public ConnectionCommands(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Command request(String integrationId, String command) {
        Command c = new Command(integrationId, UUID.randomUUID().toString(), command);
        if (db.sql("UPDATE connection_commands SET id = ?, command = ?, requested_at = ? WHERE integration_id = ?")
                .params(c.id(), command, Timestamps.of(clock.instant()), integrationId).update() == 0) {
            try {
                db.sql("INSERT INTO connection_commands (integration_id, id, command, requested_at) VALUES (?, ?, ?, ?)")
                        .params(integrationId, c.id(), command, Timestamps.of(clock.instant())).update();
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                return request(integrationId, command);
            }
        }
        return c;
    }

    @Override
    public List<Command> all() {
        return db.sql("SELECT integration_id, id, command FROM connection_commands")
                .query((rs, n) -> new Command(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }
}
