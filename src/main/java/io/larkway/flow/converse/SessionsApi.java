package io.larkway.flow.converse;

import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.ApiResult;
import io.larkway.admin.Page;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The Sessions tab: {@code GET /api/sessions?integrationId&chatType&expertId}, {@code DELETE /api/sessions/{id}}. */
@Component
public class SessionsApi implements ApiHandlers {
    private final JdbcClient db;
    private final Conversations conversations;
    private final JdbcAggregationRepository windows;
    private final Clock clock;

    public SessionsApi(JdbcClient db, Conversations conversations, JdbcAggregationRepository windowRepository, Clock clock) {
        this.db = db;
        this.conversations = conversations;
        this.windows = windowRepository;
        this.clock = clock;
    }

    @Override
    public void register(Registrar api) {
        api.register("session-list", "GET", "/api/sessions", (c, r) -> {
            StringBuilder sql = new StringBuilder("""
                    SELECT s.*, (SELECT COUNT(*) FROM waiting_messages w WHERE w.session_id = s.id) AS waiting
                    FROM sessions s JOIN integrations i ON i.id = s.integration_id WHERE i.org_id = ?""");
            List<Object> params = new ArrayList<>(List.of(c.requireOrg()));
            filter(sql, params, "s.integration_id", r.query("integrationId"));
            String chatType = r.query("chatType");
            if (chatType != null && !chatType.equals("p2p") && !chatType.equals("group")) {
                throw ApiException.invalid("chatType must be p2p or group");
            }
            filter(sql, params, "s.chat_type", chatType);
            filter(sql, params, "s.expert_id", r.query("expertId"));
            Page.Request page = r.page();
            sql.append(" ORDER BY s.updated_at DESC, s.id LIMIT ? OFFSET ?");
            params.add(page.size() + 1);
            params.add(page.offset());
            Set<String> open = windows.getKeys();
            Instant now = clock.instant();
            return page.page(db.sql(sql.toString()).params(params).query((rs, n) -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("id", rs.getString("id"));
                s.put("integrationId", rs.getString("integration_id"));
                s.put("chatType", rs.getString("chat_type"));
                s.put("chatId", rs.getString("chat_id"));
                s.put("threadId", rs.getString("thread_id"));
                s.put("senderOpenId", rs.getString("sender_open_id"));
                s.put("expertId", rs.getString("expert_id"));
                s.put("conversationId", rs.getString("conversation_id"));
                s.put("createdAt", Timestamps.instant(rs, "created_at"));
                s.put("updatedAt", Timestamps.instant(rs, "updated_at"));
                Instant until = Timestamps.instant(rs, "turn_until");
                boolean inTurn = "in_turn".equals(rs.getString("state")) && until != null && until.isAfter(now);
                String windowKey = rs.getString("integration_id") + "|" + rs.getString("scope_key") + "|" + rs.getString("expert_id");
                s.put("state", inTurn ? "in_turn" : open.contains(windowKey) ? "window_open" : "idle");
                s.put("waiting", rs.getInt("waiting"));
                return s;
            }).list());
        });
        api.register("session-end", "DELETE", "/api/sessions/{id}", (c, r) -> {
            String id = r.path("id");
            boolean mine = db.sql("SELECT COUNT(*) FROM sessions s JOIN integrations i ON i.id = s.integration_id WHERE s.id = ? AND i.org_id = ?")
                    .params(id, c.requireOrg()).query(Integer.class).single() == 1;
            if (!mine) {
                throw ApiException.notFound("session " + id);
            }
            conversations.rotate(id);
            return ApiResult.NO_CONTENT;
        });
    }

    private static void filter(StringBuilder sql, List<Object> params, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        }
    }
}
