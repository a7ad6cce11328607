package io.larkway.flow.converse;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.flow.FlowHeaders;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The messages of a scope that wait for its turn ({@code waiting_messages}), durable until the turn that took them
 * ends. Every method runs within the caller's transaction ({@link Conversations}, which holds the session row):
 * the turn claim and the waiting messages change together or not at all.
 */
@Component
public class WaitingMessages {
    /** Headers a turn needs; they are what a waiting message keeps. */
    static final List<String> TURN_HEADERS = List.of(FlowHeaders.INTEGRATION_ID, FlowHeaders.MESSAGE_ID, FlowHeaders.MESSAGE_IDS, FlowHeaders.CHAT_TYPE,
            FlowHeaders.CHAT_ID, FlowHeaders.SENDER_OPEN_ID, FlowHeaders.SCOPE_KEY, FlowHeaders.EXPERT_ID, FlowHeaders.SESSION_TIMEOUT_SECONDS, FlowHeaders.TRIGGER_ID,
            FlowHeaders.ROOT_ID, FlowHeaders.THREAD_ID, FlowHeaders.TURN_MESSAGES, FlowHeaders.ACTION, FlowHeaders.ACTION_ID);
    private static final Logger LOG = LoggerFactory.getLogger(WaitingMessages.class);
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };

    private final JdbcClient db;
    private final Clock clock;
    private final ObjectMapper json;
    private final LarkwayProperties.Conversation config;
    /** A nested transaction: a savepoint within the caller's. */
    private final TransactionTemplate savepoint;

    public WaitingMessages(JdbcClient db, Clock clock, ObjectMapper json, LarkwayProperties props, PlatformTransactionManager transactions) {
        this.db = db;
        this.clock = clock;
        this.json = json;
        this.config = props.conversation();
        this.savepoint = new TransactionTemplate(transactions);
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** The message as it waits: its turn headers and text. */
    String saved(Message m) throws Exception {
        Map<String, String> saved = new LinkedHashMap<>();
        for (String h : TURN_HEADERS) {
            Object v = m.getHeader(h);
            if (v != null) {
                // a card action (a Map) waits as JSON and is a Map again in its turn
                saved.put(h, v instanceof Map<?, ?> ? json.writeValueAsString(v) : String.valueOf(v));
            }
        }
        saved.put("text", m.getBody(String.class));
        return json.writeValueAsString(saved);
    }

    /**
     * Within the caller's transaction (the session row locked): a message already waiting is left
     * as it is (a savepoint undoes only the failed insert); false, nothing stored, when the scope
     * already has {@code max-waiting-messages} waiting.
     */
    boolean queue(String sessionId, Message m, String saved) {
        if (db.sql("SELECT COUNT(*) FROM waiting_messages WHERE session_id = ? AND taken_by IS NULL").param(sessionId).query(Integer.class)
                .single() >= config.maxWaitingMessages()) {
            return false;
        }
        try {
            // with its organisation: the organisation's held-back scopes are found by it (Conversations.HELD_BACK)
            savepoint.executeWithoutResult(status -> db.sql("""
                    INSERT INTO waiting_messages (session_id, org_id, message_id, message, created_at) VALUES (?,
                      (SELECT i.org_id FROM sessions s JOIN integrations i ON i.id = s.integration_id WHERE s.id = ?), ?, ?, ?)""")
                    .params(sessionId, sessionId, m.getHeader(FlowHeaders.MESSAGE_ID, String.class), saved, Timestamps.of(clock.instant())).update());
        } catch (DuplicateKeyException again) {
            LOG.info("Message already waiting, not queued twice integrationId={} message_id={}", m.getHeader(FlowHeaders.INTEGRATION_ID),
                    m.getHeader(FlowHeaders.MESSAGE_ID));
        }
        return true;
    }

    /**
     * A recalled message that still waits for a turn (not yet taken by one) is gone; a message merged with others by a
     * window stays (it is no longer a message of its own). True when one was removed.
     */
    public boolean recalled(String integrationId, String messageId) {
        int removed = 0;
        for (Map.Entry<Long, String> row : db.sql("""
                SELECT w.id, w.message FROM waiting_messages w JOIN sessions s ON s.id = w.session_id
                WHERE s.integration_id = ? AND w.message_id = ? AND w.taken_by IS NULL""").params(integrationId, messageId)
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2))).list()) {
            String ids = null;
            try {
                ids = json.readValue(row.getValue(), MAP).get(FlowHeaders.MESSAGE_IDS);
            } catch (Exception e) {
                LOG.warn("Unreadable waiting message id={}", row.getKey());
            }
            if (ids == null || ids.equals(messageId)) {
                removed += db.sql("DELETE FROM waiting_messages WHERE id = ? AND taken_by IS NULL").param(row.getKey()).update();
            }
        }
        return removed > 0;
    }

    /** The session's messages that wait for a turn not yet begun are dropped (the bot left the chat); answers how many. */
    public int dropWaiting(String sessionId) {
        return db.sql("DELETE FROM waiting_messages WHERE session_id = ? AND taken_by IS NULL").param(sessionId).update();
    }

    private Map<?, ?> action(String saved) {
        try {
            return json.readValue(saved, Map.class);
        } catch (Exception e) {
            LOG.warn("Unreadable card action left out of the turn: {}", e.getMessage());
            return null;
        }
    }

    boolean any(String sessionId) {
        return db.sql("SELECT COUNT(*) FROM waiting_messages WHERE session_id = ?").param(sessionId).query(Integer.class).single() > 0;
    }

    /** Deletes the messages the turn {@code token} answered; how many were still this turn's (none: its lease ran out and another turn took them). */
    int done(String sessionId, String token) {
        return db.sql("DELETE FROM waiting_messages WHERE session_id = ? AND taken_by = ?").params(sessionId, token).update();
    }

    /**
     * Marks every waiting message of the session (new ones, and those of a turn that died) as this
     * turn's and puts them on the message as one turn: texts joined in order, the last message's headers
     * (the flow's others removed). Only the holder of the scope's turn calls this. The turn's token, or null
     * when nothing (readable) waits.
     */
    String take(String sessionId, Message m) {
        String token = UUID.randomUUID().toString();
        if (db.sql("UPDATE waiting_messages SET taken_by = ? WHERE session_id = ?").params(token, sessionId).update() == 0) {
            return null;
        }
        List<Map<String, String>> taken = new ArrayList<>();
        for (String saved : db.sql("SELECT message FROM waiting_messages WHERE session_id = ? AND taken_by = ? ORDER BY id").params(sessionId, token)
                .query(String.class).list()) {
            try {
                taken.add(json.readValue(saved, MAP));
            } catch (Exception e) {
                LOG.error("Unreadable waiting message skipped session={}", sessionId, e);
            }
        }
        if (taken.isEmpty()) {
            return null;
        }
        m.getHeaders().keySet().removeIf(k -> k.startsWith("larkway"));
        taken.get(taken.size() - 1).forEach((k, v) -> {
            if (k.equals(FlowHeaders.ACTION)) {
                m.setHeader(k, action(v));
            } else if (!k.equals("text")) {
                m.setHeader(k, v);
            }
        });
        m.setHeader(FlowHeaders.MESSAGE_IDS, taken.stream().map(t -> t.getOrDefault(FlowHeaders.MESSAGE_IDS, t.get(FlowHeaders.MESSAGE_ID)))
                .collect(Collectors.joining(",")));
        m.setHeader(FlowHeaders.TURN_MESSAGES, taken.stream().map(t -> t.get(FlowHeaders.TURN_MESSAGES)).reduce(null, io.larkway.flow.TurnMessages::join));
        m.setBody(taken.stream().map(t -> t.get("text")).collect(Collectors.joining("\n")));
        return token;
    }
}
