package io.larkway.flow.reply;

import io.larkway.flow.FlowHeaders;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.Integrations;
import io.larkway.platform.RecentErrors;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Replies that failed after their retries (or while the breaker was open), kept with their
 * reason and exact parts (same uuids, so a retry never duplicates what did go out). The reply
 * route's dead-letter channel stores them ({@link #store(Exchange)}); a retry sends the parts again
 * through the same route steps ({@code direct:dead-letter-retry}).
 * {@code GET /api/integrations/{id}/dead-letters}, {@code POST …/dead-letters/{letterId}/retry}.
 */
@Component
public class DeadLetters implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    /** One message part, exactly as it is sent. */
    public record Part(String uuid, String msgType, String content) {
    }

    /** Everything needed to send a reply again. */
    public record Reply(String integrationId, String messageId, String chatId, boolean asReply, boolean inThread, List<Part> parts) {
        static Reply of(Message m, boolean asReply, boolean inThread, List<Part> parts) {
            return new Reply(m.getHeader(FlowHeaders.INTEGRATION_ID, String.class), m.getHeader(FlowHeaders.MESSAGE_ID, String.class),
                    m.getHeader(FlowHeaders.CHAT_ID, String.class), asReply, inThread, parts);
        }
    }

    private final JdbcClient db;
    private final ObjectMapper json;
    private final Clock clock;
    private final Integrations integrations;
    private final RecentErrors errors;
    private final ProducerTemplate flow;

    public DeadLetters(JdbcClient db, ObjectMapper json, Clock clock, Integrations integrations, RecentErrors errors, ProducerTemplate flow) {
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.integrations = integrations;
        this.errors = errors;
        this.flow = flow;
    }

    @Override
    public void register(Registrar api) {
        api.register("dead-letter-list", "GET", "/api/integrations/{id}/dead-letters", (c, r) -> {
            String integrationId = integrations.get(c.requireOrg(), r.path("id")).id();
            return r.page().page(db.sql("SELECT * FROM dead_letters WHERE integration_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                    .params(integrationId, r.page().size() + 1, r.page().offset()).query((rs, n) -> {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("id", rs.getString("id"));
                        out.put("integrationId", integrationId);
                        out.put("messageId", rs.getString("message_id"));
                        out.put("reason", rs.getString("reason"));
                        out.put("state", rs.getString("state"));
                        try {
                            out.put("reply", json.readTree(rs.getString("reply")));
                        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                            throw new IllegalStateException(e);
                        }
                        out.put("createdAt", Timestamps.instant(rs, "created_at"));
                        out.put("updatedAt", Timestamps.instant(rs, "updated_at"));
                        return out;
                    }).list());
        });
        api.register("dead-letter-retry", "POST", "/api/integrations/{id}/dead-letters/{letterId}/retry", (c, r) -> {
            String integrationId = integrations.get(c.requireOrg(), r.path("id")).id();
            return retry(integrationId, r.path("letterId"));
        });
    }

    /** The reply route's dead letter: the reply (header {@code larkwayReply}) kept with its reason (header {@code larkwayReplyFailure}). */
    public void store(Exchange exchange) {
        Reply reply = exchange.getMessage().getHeader(FlowHeaders.REPLY, Reply.class);
        String reason = exchange.getMessage().getHeader(FlowHeaders.REPLY_FAILURE, String.class);
        if (reply == null) {
            LOG.warn("Reply failed before it had parts integrationId={} message_id={}: {}", exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID),
                    exchange.getMessage().getHeader(FlowHeaders.MESSAGE_ID), reason);
            return;
        }
        String id = store(reply, reason);
        LOG.warn("Reply failed integrationId={} message_id={} deadLetter={}: {}", reply.integrationId(), reply.messageId(), id, reason);
        errors.record(reply.integrationId(), "reply", "reply failed, dead letter " + id + ": " + reason, reply.messageId());
    }

    String store(Reply reply, String reason) {
        String id = "dl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        Instant now = clock.instant();
        try {
            db.sql("INSERT INTO dead_letters (id, integration_id, message_id, reply, reason, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'failed', ?, ?)")
                    .params(id, reply.integrationId(), reply.messageId(), json.writeValueAsString(reply), truncate(reason), Timestamps.of(now),
                            Timestamps.of(now)).update();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** Sends a dead letter again; answers {@code {id, state, reason}}. */
    public Map<String, Object> retry(String integrationId, String id) throws Exception {
        Map<String, Object> row = db.sql("SELECT reply, state FROM dead_letters WHERE id = ? AND integration_id = ?").params(id, integrationId)
                .query().listOfRows().stream().findFirst().orElseThrow(() -> ApiException.notFound("dead letter " + id));
        if ("delivered".equals(row.get("state"))) {
            return Map.of("id", id, "state", "delivered");
        }
        Reply reply = json.readValue(String.valueOf(row.get("reply")), Reply.class);
        Exchange sent = flow.send("direct:dead-letter-retry", e -> e.getMessage().setHeader(FlowHeaders.REPLY, reply));
        String reason = sent.getException() != null ? ReplyParts.reason(sent.getException()) : sent.getMessage().getHeader(FlowHeaders.REPLY_FAILURE, String.class);
        String state = reason == null ? "delivered" : "failed";
        db.sql("UPDATE dead_letters SET state = ?, reason = ?, updated_at = ? WHERE id = ?")
                .params(state, reason == null ? "delivered on retry" : truncate(reason), Timestamps.of(clock.instant()), id).update();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("state", state);
        out.put("reason", reason);
        return out;
    }

    private static String truncate(String s) {
        return s == null ? "unknown" : s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}
