package io.larkway.flow.converse;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
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
 * Sessions per (integration, scope key, expert): conversation ids with their timeout, and one
 * expert turn at a time per scope. The turn is a lease in the sessions row (state, owner, until)
 * taken with one conditional UPDATE, so it holds across instances; messages that arrive during a
 * turn wait ({@link WaitingMessages}) and make the next turn, in order.
 */
@Component
public class Conversations {
    private static final Logger LOG = LoggerFactory.getLogger(Conversations.class);

    private final JdbcClient db;
    private final Clock clock;
    private final String instance;
    private final LarkwayProperties.Conversation config;
    private final LarkwayProperties.Limits limits;
    private final io.larkway.platform.RecentErrors errors;
    private final WaitingMessages waiting;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final TransactionTemplate transaction;
    /** A nested transaction: a savepoint within {@link #transaction}. */
    private final TransactionTemplate savepoint;
    /** When each integration last recorded "turn limit reached" as a recent error (a burst would fill them all, a commit each). */
    private final io.larkway.platform.OncePerInterval limitedRecorded;

    public Conversations(JdbcClient db, Clock clock, InstanceId instance, LarkwayProperties props, WaitingMessages waiting,
            io.micrometer.core.instrument.MeterRegistry meters, PlatformTransactionManager transactions, io.larkway.platform.RecentErrors errors) {
        this.limits = props.limits();
        this.limitedRecorded = new io.larkway.platform.OncePerInterval(clock, java.time.Duration.ofSeconds(limits.limitedRecordIntervalSeconds()));
        this.errors = errors;
        this.transaction = new TransactionTemplate(transactions);
        this.savepoint = new TransactionTemplate(transactions);
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.meters = meters;
        this.db = db;
        this.clock = clock;
        this.instance = instance.toString();
        this.config = props.conversation();
        this.waiting = waiting;
    }

    /**
     * Finds or opens the session of the message's scope (a new conversation after the timeout),
     * stores the message durably among the scope's waiting messages, and takes the scope's turn
     * with everything waiting, or leaves it to the turn in progress, or, when the organisation has
     * {@code larkway.limits.turns-per-org} turns in flight, to the end of one of them. Header
     * {@code larkwayTurn}: {@code claimed} (the exchange is now the turn), {@code queued},
     * {@code limited} or {@code dropped} (the scope already has max-waiting-messages waiting).
     */
    public void claimOrQueue(Exchange exchange) throws Exception {
        Message m = exchange.getMessage();
        String saved = waiting.saved(m);
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String messageId = m.getHeader(FlowHeaders.MESSAGE_ID, String.class);
        // one transaction, one commit: on H2 the file write per commit is most of the cost, and this runs on the inbox's one thread
        Claim c = transaction.execute(status -> {
            String sessionId = session(m).id();
            if (!waiting.queue(sessionId, m, saved)) {
                return new Claim(sessionId, Start.dropped);
            }
            return new Claim(sessionId, startTurn(sessionId, exchange));
        });
        switch (c.start()) {
            case queued -> LOG.info("Message waits for the turn in progress integrationId={} message_id={} session={}", integrationId, messageId,
                    c.sessionId());
            case limited -> {
                LOG.info("Message waits for a turn of its organisation to end (turn limit {}) integrationId={} message_id={} session={}",
                        limits.turnsPerOrg(), integrationId, messageId, c.sessionId());
                meters.counter("larkway.turns.limited", "integration", String.valueOf(integrationId)).increment();
                if (integrationId != null && limitedRecorded.now(integrationId)) {
                    errors.record(integrationId, "turn", "turn limit of " + limits.turnsPerOrg() + " reached for the organisation; the message waits",
                            messageId);
                }
            }
            case dropped -> {
                LOG.warn("Message dropped, {} messages already wait in its chat integrationId={} message_id={} session={}",
                        config.maxWaitingMessages(), integrationId, messageId, c.sessionId());
                meters.counter("larkway.events.dropped", "integration", String.valueOf(integrationId), "reason", "too_many_waiting").increment();
            }
            default -> {
            }
        }
        m.setHeader(FlowHeaders.TURN, c.start().name());
    }

    /** How an attempt to start a scope's turn ended. */
    enum Start { claimed, queued, limited, dropped }

    /**
     * Within the caller's transaction: takes the scope's turn and all its waiting messages onto the
     * exchange; {@code queued} when another turn holds the scope, {@code limited} when the
     * organisation is at its turn limit (the messages stay waiting, no thread is held for them).
     */
    private Start startTurn(String sessionId, Exchange exchange) {
        while (claim(sessionId)) {
            if (!withinOrgLimit(sessionId)) {
                release(sessionId);
                return Start.limited;
            }
            if (take(sessionId, exchange)) {
                meters.counter("larkway.turns", "integration", String.valueOf(exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID))).increment();
                return Start.claimed;
            }
            release(sessionId);
            // a message may have arrived between our take and our release: it must not be stranded
            if (!waiting.any(sessionId)) {
                return Start.queued;
            }
        }
        return Start.queued;
    }

    /**
     * Within the caller's transaction, with the scope's turn just claimed: true while the
     * organisation's turns in flight (this one included, on any instance) are within
     * {@code larkway.limits.turns-per-org}. The organisation's row is locked first, so two claims
     * never both take the last place; every caller locks its session row before, one lock order.
     */
    private boolean withinOrgLimit(String sessionId) {
        Optional<String> org = db.sql("SELECT i.org_id FROM integrations i JOIN sessions s ON s.integration_id = i.id WHERE s.id = ?")
                .param(sessionId).query(String.class).optional();
        if (org.isEmpty()) {
            return true; // the integration is being deleted: its session goes with it
        }
        db.sql("SELECT id FROM orgs WHERE id = ? FOR UPDATE").param(org.get()).query(String.class).list();
        int inFlight = db.sql("""
                SELECT COUNT(*) FROM sessions s JOIN integrations i ON i.id = s.integration_id
                WHERE i.org_id = ? AND s.state = 'in_turn' AND s.turn_until >= ?""")
                .params(org.get(), Timestamps.of(clock.instant())).query(Integer.class).single();
        return inFlight <= limits.turnsPerOrg();
    }

    /** When the turn's text is the new-conversation command, ends the conversation and sets header {@code larkwayCommand=new}. */
    public void command(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        exchange.getMessage().removeHeader(FlowHeaders.COMMAND);
        if (text != null && text.strip().equalsIgnoreCase(config.newConversationCommand())) {
            String sessionId = exchange.getMessage().getHeader(FlowHeaders.SESSION_ID, String.class);
            exchange.getMessage().setHeader(FlowHeaders.CONVERSATION_ID, rotate(sessionId));
            exchange.getMessage().setHeader(FlowHeaders.COMMAND, "new");
        }
    }

    /**
     * Ends the turn: its messages are answered and deleted; messages that waited meanwhile become
     * the next turn (body and headers set, header {@code larkwayNextTurn=true}), else the scope is released.
     */
    public void finish(Exchange exchange) {
        Message m = exchange.getMessage();
        String sessionId = m.getHeader(FlowHeaders.SESSION_ID, String.class);
        String token = m.getHeader(FlowHeaders.TURN_TOKEN, String.class);
        TurnHistory answered = exchange.removeProperty(FlowHeaders.TURN_HISTORY) instanceof TurnHistory h ? h : null;
        boolean next = Boolean.TRUE.equals(transaction.execute(status -> {
            // the session row first, as claimOrQueue locks it: one lock order, so the two never deadlock. A lock, not an
            // UPDATE: H2 carries out an UPDATE as remove + add in every index of the row, and most turns end with release's UPDATE anyway
            lock(sessionId);
            // in the history once: not when the turn's lease ran out and another turn took its messages meanwhile
            if (waiting.done(sessionId, token) > 0) {
                remember(answered);
            }
            if (take(sessionId, exchange)) {
                extend(sessionId); // the next turn gets a lease of its own
                return true;
            }
            release(sessionId);
            return waiting.any(sessionId) && startTurn(sessionId, exchange) == Start.claimed;
        }));
        m.setHeader(FlowHeaders.NEXT_TURN, next);
    }

    /** The question and its answer, in one statement, the question first (nothing when the expert did not answer). */
    private void remember(TurnHistory turn) {
        if (turn == null) {
            return;
        }
        var now = Timestamps.of(clock.instant());
        db.sql("INSERT INTO conversation_turns (conversation_id, role, content, created_at) VALUES (?, 'user', ?, ?), (?, 'assistant', ?, ?)")
                .params(turn.conversationId(), turn.question(), now, turn.conversationId(), turn.answer(), now).update();
    }

    /**
     * The organisation's scopes with messages waiting and no turn running, by their oldest message, first come first. It
     * runs after every turn, so it reads that organisation's oldest waiting messages through ix_waiting_org (in order: the
     * index is (org_id, id), hence the ORDER BY, and it stops at the LIMIT), each scope once (at its oldest message). Neither
     * the organisation's sessions (one per user who ever wrote) nor another organisation's backlog is read.
     */
    static final String HELD_BACK = """
            SELECT w.session_id, w.org_id FROM waiting_messages w JOIN sessions s ON s.id = w.session_id
            WHERE w.org_id = (SELECT org_id FROM integrations WHERE id = ?) AND s.state <> 'in_turn'
              AND NOT EXISTS (SELECT 1 FROM waiting_messages x WHERE x.session_id = w.session_id AND x.id < w.id)
            ORDER BY w.org_id, w.id LIMIT ?""";

    /** The organisation of waiting messages queued without it (V18's backfill): none once every instance runs V18's code. */
    static final String UNTAGGED_WAITING = """
            UPDATE waiting_messages SET org_id = (SELECT i.org_id FROM sessions s JOIN integrations i ON i.id = s.integration_id
                                                   WHERE s.id = waiting_messages.session_id)
            WHERE org_id IS NULL""";

    /** Turns whose lease ran out (ix_sessions_turns), and scopes whose messages wait with no turn running (through the waiting messages). */
    static final String STALE_TURNS = """
            SELECT s.id, i.org_id FROM sessions s LEFT JOIN integrations i ON i.id = s.integration_id WHERE s.state = 'in_turn' AND s.turn_until < ?
            UNION
            SELECT s.id, i.org_id FROM sessions s LEFT JOIN integrations i ON i.id = s.integration_id
            WHERE s.id IN (SELECT session_id FROM waiting_messages WHERE created_at < ?) AND s.state <> 'in_turn'""";

    /**
     * After a turn that freed its organisation's place: the organisation's scopes whose messages
     * wait with no turn running (held back by its turn limit), oldest first, as many as now fit.
     * Each answer is a turn message ready for the turn route.
     */
    public List<Message> heldBack(Exchange exchange) {
        String integrationId = exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        List<Waiting> waiting = db.sql(HELD_BACK).params(integrationId, limits.turnsPerOrg())
                .query((rs, n) -> new Waiting(rs.getString(1), rs.getString(2))).list();
        return resume(waiting, exchange);
    }

    /**
     * Turns to run again: scopes whose turn lease ran out (the instance died mid-turn) or whose
     * messages wait with no turn running. Each answer is a turn message ready for the turn route.
     */
    public List<Message> staleTurns(Exchange exchange) {
        // messages an instance still on the version before V18 queued (a rolling upgrade) get their organisation, so that
        // HELD_BACK finds their scopes, and the newer messages of those scopes, after this sweep at the latest
        db.sql(UNTAGGED_WAITING).update();
        Instant now = clock.instant();
        List<Waiting> sessions = db.sql(STALE_TURNS).params(Timestamps.of(now), Timestamps.of(now.minusSeconds(2)))
                .query((rs, n) -> new Waiting(rs.getString(1), rs.getString(2))).list();
        return resume(sessions, exchange);
    }

    /** Starts the turns of these scopes, each in a transaction of its own; an organisation at its limit is not asked again. */
    private List<Message> resume(List<Waiting> sessions, Exchange exchange) {
        List<Message> turns = new ArrayList<>();
        java.util.Set<String> full = new java.util.HashSet<>();
        for (Waiting w : sessions) {
            if (w.orgId() != null && full.contains(w.orgId())) {
                continue;
            }
            org.apache.camel.support.DefaultExchange turn = new org.apache.camel.support.DefaultExchange(exchange.getContext());
            Start start = transaction.execute(status -> startTurn(w.sessionId(), turn));
            if (start == Start.claimed) {
                LOG.info("Resuming a turn integrationId={} message_id={} session={}", turn.getMessage().getHeader(FlowHeaders.INTEGRATION_ID),
                        turn.getMessage().getHeader(FlowHeaders.MESSAGE_ID), w.sessionId());
                turns.add(turn.getMessage());
            } else if (start == Start.limited) {
                full.add(w.orgId());
            }
        }
        return turns;
    }

    private record Waiting(String sessionId, String orgId) {
    }

    /** Ends the conversation of a session (DELETE /api/sessions/{id} and the chat command). */
    public String rotate(String sessionId) {
        String conversation = newConversationId();
        db.sql("UPDATE sessions SET conversation_id = ?, updated_at = ? WHERE id = ?").params(conversation, Timestamps.of(clock.instant()), sessionId)
                .update();
        LOG.info("Conversation ended session={} new conversation={}", sessionId, conversation);
        return conversation;
    }

    /** Within the caller's transaction. A session another instance opened at the same moment is read again: a savepoint undoes only the refused insert. */
    private Session session(Message m) {
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String scopeKey = m.getHeader(FlowHeaders.SCOPE_KEY, String.class);
        String expertId = m.getHeader(FlowHeaders.EXPERT_ID, String.class);
        int timeout = m.getHeader(FlowHeaders.SESSION_TIMEOUT_SECONDS, 3600, Integer.class);
        Instant now = clock.instant();
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Session> found = db.sql("SELECT id, updated_at FROM sessions WHERE integration_id = ? AND scope_key = ? AND expert_id = ?")
                    .params(integrationId, scopeKey, expertId)
                    .query((rs, n) -> new Session(rs.getString(1), Timestamps.instant(rs, "updated_at"))).optional();
            if (found.isPresent()) {
                Session s = found.get();
                if (s.updatedAt().isBefore(now.minusSeconds(timeout))) {
                    db.sql("UPDATE sessions SET conversation_id = ?, updated_at = ? WHERE id = ? AND updated_at = ?")
                            .params(newConversationId(), Timestamps.of(now), s.id(), Timestamps.of(s.updatedAt())).update();
                    LOG.info("Session timed out, new conversation integrationId={} session={}", integrationId, s.id());
                } else {
                    db.sql("UPDATE sessions SET updated_at = ?, sender_open_id = ? WHERE id = ?")
                            .params(Timestamps.of(now), m.getHeader(FlowHeaders.SENDER_OPEN_ID, String.class), s.id()).update();
                }
                return s;
            }
            String id = "ses_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            try {
                savepoint.executeWithoutResult(status -> db.sql("""
                        INSERT INTO sessions (id, integration_id, scope_key, expert_id, chat_type, chat_id, thread_id, sender_open_id, conversation_id,
                          state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'idle', ?, ?)""")
                        .params(id, integrationId, scopeKey, expertId, m.getHeader(FlowHeaders.CHAT_TYPE, String.class),
                                m.getHeader(FlowHeaders.CHAT_ID, String.class), m.getHeader(FlowHeaders.THREAD_ID, String.class),
                                m.getHeader(FlowHeaders.SENDER_OPEN_ID, String.class), newConversationId(), Timestamps.of(now), Timestamps.of(now))
                        .update());
                return new Session(id, now);
            } catch (DuplicateKeyException raced) {
                // another instance opened it: read it again
            }
        }
        throw new IllegalStateException("could not open a session for scope " + scopeKey);
    }

    private boolean claim(String sessionId) {
        Instant now = clock.instant();
        return db.sql("UPDATE sessions SET state = 'in_turn', turn_owner = ?, turn_until = ? WHERE id = ? AND (state <> 'in_turn' OR turn_until < ?)")
                .params(instance, Timestamps.of(now.plusSeconds(config.turnLeaseSeconds())), sessionId, Timestamps.of(now)).update() == 1;
    }

    private void lock(String sessionId) {
        db.sql("SELECT id FROM sessions WHERE id = ? FOR UPDATE").param(sessionId).query(String.class).list();
    }

    private void extend(String sessionId) {
        db.sql("UPDATE sessions SET turn_until = ? WHERE id = ?")
                .params(Timestamps.of(clock.instant().plusSeconds(config.turnLeaseSeconds())), sessionId).update();
    }

    private void release(String sessionId) {
        db.sql("UPDATE sessions SET state = 'idle', turn_owner = NULL, turn_until = NULL WHERE id = ?").param(sessionId).update();
    }

    /** The session's waiting messages as this turn (see {@link WaitingMessages#take}), with the session's headers. */
    private boolean take(String sessionId, Exchange exchange) {
        String token = waiting.take(sessionId, exchange.getMessage());
        if (token == null) {
            return false;
        }
        Message m = exchange.getMessage();
        m.setHeader(FlowHeaders.SESSION_ID, sessionId);
        m.setHeader(FlowHeaders.TURN_TOKEN, token);
        m.setHeader(FlowHeaders.CONVERSATION_ID, conversationId(sessionId));
        return true;
    }

    private String conversationId(String sessionId) {
        return db.sql("SELECT conversation_id FROM sessions WHERE id = ?").param(sessionId).query(String.class).single();
    }

    private static String newConversationId() {
        return "conv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private record Session(String id, Instant updatedAt) {
    }

    private record Claim(String sessionId, Start start) {
    }
}
