package io.larkway.flow.converse;

import io.larkway.flow.FlowHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The scope's turn and its waiting messages, called as the converse route calls them. */
class ConversationsTest extends LarkwayTest {
    @Autowired
    Conversations conversations;
    @Autowired
    CamelContext camel;
    @Autowired
    JdbcClient db;

    /**
     * A message handed to the flow again (an event resumed after a crash) while it still waits.
     * Queueing and taking the turn share one transaction; on PostgreSQL the refused second insert
     * would abort it unless only its savepoint is rolled back.
     */
    @Test
    void aMessageQueuedAgainWaitsOnceAndStillMakesTheNextTurn() throws Exception {
        String integrationId = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        String scope = "p2p:ou_" + UUID.randomUUID();
        Exchange first = message(integrationId, scope, "om_first", "first");
        conversations.claimOrQueue(first);
        assertThat(first.getMessage().getHeader("larkwayTurn")).isEqualTo("claimed");

        // during that turn: a message waits, then comes again
        conversations.claimOrQueue(message(integrationId, scope, "om_again", "again"));
        Exchange repeated = message(integrationId, scope, "om_again", "again");
        conversations.claimOrQueue(repeated);
        assertThat(repeated.getMessage().getHeader("larkwayTurn")).isEqualTo("queued");
        String sessionId = first.getMessage().getHeader(FlowHeaders.SESSION_ID, String.class);
        assertThat(db.sql("SELECT COUNT(*) FROM waiting_messages WHERE session_id = ? AND message_id = 'om_again'").param(sessionId)
                .query(Integer.class).single()).isEqualTo(1);

        // the first turn ends: the waiting message is the next turn, once
        conversations.finish(first);
        assertThat(first.getMessage().getHeader("larkwayNextTurn", Boolean.class)).isTrue();
        assertThat(first.getMessage().getBody(String.class)).isEqualTo("again");
        assertThat(first.getMessage().getHeader("larkwayMessageIds")).isEqualTo("om_again");
        conversations.finish(first);
        assertThat(first.getMessage().getHeader("larkwayNextTurn", Boolean.class)).isFalse();
        assertThat(state(sessionId)).isEqualTo("idle");

        // and the same message once more, with the scope free: it is taken again (the inbox, not the queue, dedupes answered messages)
        Exchange late = message(integrationId, scope, "om_again", "again");
        conversations.claimOrQueue(late);
        assertThat(late.getMessage().getHeader("larkwayTurn")).isEqualTo("claimed");
        conversations.finish(late);
    }

    /**
     * A turn that ends with messages waiting hands the scope straight to the next turn, and that turn gets a lease of its
     * own from then: with the first turn's lease it could be taken over by another instance while it runs. A turn that ends
     * with nothing waiting leaves the scope idle, without a lease.
     */
    @Test
    void theNextTurnTakenAtATurnsEndHasALeaseOfItsOwn() throws Exception {
        String integrationId = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        String scope = "p2p:ou_" + UUID.randomUUID();
        Exchange first = message(integrationId, scope, "om_lease_1", "first");
        conversations.claimOrQueue(first);
        conversations.claimOrQueue(message(integrationId, scope, "om_lease_2", "second"));
        String sessionId = first.getMessage().getHeader(FlowHeaders.SESSION_ID, String.class);

        clock.advance(java.time.Duration.ofSeconds(props.conversation().turnLeaseSeconds() - 1)); // a slow expert: the lease nearly out
        java.time.Instant ended = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        conversations.finish(first);
        assertThat(first.getMessage().getHeader("larkwayNextTurn", Boolean.class)).isTrue();
        assertThat(state(sessionId)).isEqualTo("in_turn");
        assertThat(leaseUntil(sessionId)).isBetween(ended.plusSeconds(props.conversation().turnLeaseSeconds()),
                clock.instant().plusSeconds(props.conversation().turnLeaseSeconds()));

        conversations.finish(first);
        assertThat(first.getMessage().getHeader("larkwayNextTurn", Boolean.class)).isFalse();
        assertThat(state(sessionId)).isEqualTo("idle");
        assertThat(leaseUntil(sessionId)).isNull();
    }

    private String state(String sessionId) {
        return db.sql("SELECT state FROM sessions WHERE id = ?").param(sessionId).query(String.class).single();
    }

    private java.time.Instant leaseUntil(String sessionId) {
        return db.sql("SELECT turn_until FROM sessions WHERE id = ?").param(sessionId)
                .query((rs, n) -> Optional.ofNullable(io.larkway.platform.Timestamps.instant(rs, "turn_until"))).single().orElse(null);
    }

    /**
     * After every turn the converse route asks for the organisation's held-back scopes (Conversations.heldBack). It must
     * read the few waiting messages, not every session the organisation ever had: with one session per user, reading them
     * all was a third of larkway's CPU per message in bench/e2e.sh, and grew with every new user. H2 only (EXPLAIN ANALYZE
     * counts the rows each table was read for).
     */
    @Test
    void heldBackScopesAreFoundFromTheWaitingMessagesNotFromEverySession() throws Exception {
        String integrationId = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        int others = 400;
        var now = io.larkway.platform.Timestamps.of(clock.instant());
        for (int i = 0; i < others; i++) { // users who wrote once: idle sessions with nothing waiting
            db.sql("""
                    INSERT INTO sessions (id, integration_id, scope_key, expert_id, chat_type, chat_id, conversation_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, 'exp_test', 'p2p', 'oc_test', 'conv_test', 'idle', ?, ?)""")
                    .params("ses_idle_" + UUID.randomUUID(), integrationId, "p2p:ou_idle_" + i, now, now).update();
        }
        // a scope whose message waits with no turn running (as one held back by the organisation's turn limit)
        String scope = "p2p:ou_" + UUID.randomUUID();
        Exchange first = message(integrationId, scope, "om_first", "first");
        conversations.claimOrQueue(first);
        conversations.claimOrQueue(message(integrationId, scope, "om_waits", "waits"));
        String sessionId = first.getMessage().getHeader(FlowHeaders.SESSION_ID, String.class);
        db.sql("DELETE FROM waiting_messages WHERE session_id = ? AND taken_by IS NOT NULL").param(sessionId).update();
        db.sql("UPDATE sessions SET state = 'idle', turn_owner = NULL, turn_until = NULL WHERE id = ?").param(sessionId).update();

        org.junit.jupiter.api.Assumptions.assumeTrue(assertHeldBackReadsFewerThan(integrationId, 50), "H2 only");

        Exchange after = message(integrationId, "p2p:ou_other", "om_other", "other");
        var turns = conversations.heldBack(after);
        assertThat(turns).hasSize(1);
        assertThat(turns.get(0).getHeader(FlowHeaders.SESSION_ID)).isEqualTo(sessionId);
        assertThat(turns.get(0).getBody(String.class)).isEqualTo("waits");
        Exchange resumed = new DefaultExchange(camel);
        resumed.setMessage(turns.get(0));
        conversations.finish(resumed);
    }

    /**
     * An organisation above its turn limit builds a backlog of held-back scopes. Every turn's end asks for the held-back
     * scopes of its own organisation (Conversations.heldBack): that must read the few oldest of that organisation, not its
     * whole backlog (bench/e2e.sh at 600 messages/s: 46 % of larkway's CPU, a fifth of the rate it keeps up with at 400/s),
     * and nothing of another organisation's. H2 only for the rows read (EXPLAIN ANALYZE); the order on every database.
     */
    @Test
    void heldBackReadsTheOldestFewOfItsOwnOrganisationNotABacklog() throws Exception {
        String busy = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        String quiet = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        int limit = props.limits().turnsPerOrg();
        int backlog = 300;
        // the turn recovery would take a freed place with any scope waiting over 2 s, between a turn's end and its heldBack
        camel.getRouteController().stopRoute("turn-recovery");
        try {
            java.util.List<Exchange> turns = new java.util.ArrayList<>();
            for (int i = 0; i < limit + backlog; i++) { // each from a user of its own: the first take the turns, the rest are held back
                Exchange e = message(busy, "p2p:ou_busy_" + UUID.randomUUID(), "om_busy_" + i, "busy " + i);
                conversations.claimOrQueue(e);
                assertThat(e.getMessage().getHeader("larkwayTurn")).isEqualTo(i < limit ? "claimed" : "limited");
                turns.add(e);
            }
            Exchange alone = message(quiet, "p2p:ou_quiet_" + UUID.randomUUID(), "om_quiet", "quiet");
            conversations.claimOrQueue(alone);

            assertHeldBackReadsFewerThan(busy, 50);
            assertHeldBackReadsFewerThan(quiet, 50);

            // the quiet organisation's turn ends: nothing of the busy one's backlog is its
            conversations.finish(alone);
            assertThat(conversations.heldBack(alone)).isEmpty();

            // one of the busy organisation's turns ends: its place goes to the scope held back longest, and only one fits
            Exchange first = turns.get(0);
            conversations.finish(first);
            assertThat(first.getMessage().getHeader("larkwayNextTurn", Boolean.class)).isFalse();
            assertThat(conversations.heldBack(first)).extracting(m -> m.getBody(String.class)).containsExactly("busy " + limit);

            // the other turns end, each hands its place on, oldest first
            for (int i = 1; i < limit; i++) {
                conversations.finish(turns.get(i));
                assertThat(conversations.heldBack(turns.get(i))).extracting(m -> m.getBody(String.class)).containsExactly("busy " + (limit + i));
            }
        } finally { // the rest of the backlog is not the other tests'
            db.sql("DELETE FROM waiting_messages WHERE org_id = (SELECT org_id FROM integrations WHERE id = ?)").param(busy).update();
            db.sql("UPDATE sessions SET state = 'idle', turn_owner = NULL, turn_until = NULL WHERE integration_id = ?").param(busy).update();
            camel.getRouteController().startRoute("turn-recovery");
        }
    }

    /**
     * During a rolling upgrade an instance still on the version before V18 queues messages without their organisation, and
     * a scope's oldest message decides whether HELD_BACK finds it. The turn recovery gives them their organisation.
     */
    @Test
    void theTurnRecoveryGivesMessagesQueuedWithoutTheirOrganisationTheirs() throws Exception {
        String integrationId = newIntegration(newOrg(), LARK.newApp(), "webhook", null).path("id").asText();
        String scope = "p2p:ou_" + UUID.randomUUID();
        Exchange first = message(integrationId, scope, "om_tag_1", "first");
        conversations.claimOrQueue(first);
        conversations.claimOrQueue(message(integrationId, scope, "om_tag_2", "second"));
        String orgId = db.sql("SELECT org_id FROM integrations WHERE id = ?").param(integrationId).query(String.class).single();
        assertThat(db.sql("SELECT org_id FROM waiting_messages WHERE message_id = 'om_tag_2'").query(String.class).single()).isEqualTo(orgId);

        db.sql("UPDATE waiting_messages SET org_id = NULL WHERE message_id = 'om_tag_2'").update(); // as the version before V18 queued it
        // the sweep, as the turn recovery runs it; this scope is in its turn, and any other it resumes goes on as the route sends it
        try (org.apache.camel.ProducerTemplate turns = camel.createProducerTemplate()) {
            for (org.apache.camel.Message turn : conversations.staleTurns(message(integrationId, "p2p:ou_sweep", "om_sweep", "sweep"))) {
                assertThat(turn.getHeader(FlowHeaders.SESSION_ID)).isNotEqualTo(first.getMessage().getHeader(FlowHeaders.SESSION_ID));
                turns.send("seda:turns", e -> e.getMessage().copyFrom(turn));
            }
        }
        assertThat(db.sql("SELECT org_id FROM waiting_messages WHERE message_id = 'om_tag_2'").query(String.class).list()).containsExactly(orgId);

        conversations.finish(first);
        assertThat(first.getMessage().getBody(String.class)).isEqualTo("second");
        conversations.finish(first);
    }

    /**
     * A message passes dozens of distinct statements (inbox, sessions, waiting messages, history, counters). H2 keeps 8
     * parsed per connection unless told otherwise, so it parsed most of them again on every message: 8.6 % of larkway's
     * CPU in bench/e2e.sh. The embedded default keeps them all. H2 only.
     */
    @Test
    void theEmbeddedDatabaseKeepsTheFlowsStatementsParsed() {
        int kept;
        try {
            kept = db.sql("SELECT CAST(SETTING_VALUE AS INT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_CACHE_SIZE'")
                    .query(Integer.class).single();
        } catch (RuntimeException notH2) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "H2 only: " + notH2);
            return;
        }
        assertThat(kept).isGreaterThanOrEqualTo(100);
    }

    /**
     * On H2, asserts that HELD_BACK for this integration's organisation reads fewer than {@code most} rows (the scan counts
     * of EXPLAIN ANALYZE, summed). False, nothing asserted, on PostgreSQL: its plan has no scan counts.
     */
    private boolean assertHeldBackReadsFewerThan(String integrationId, int most) {
        String plan;
        try {
            plan = db.sql("EXPLAIN ANALYZE " + Conversations.HELD_BACK).params(integrationId, props.limits().turnsPerOrg()).query(String.class).single();
        } catch (RuntimeException notH2) {
            return false; // PostgreSQL: a plan of many rows
        }
        assertThat(plan).contains("scanCount");
        int rowsRead = java.util.regex.Pattern.compile("scanCount: (\\d+)").matcher(plan).results().mapToInt(r -> Integer.parseInt(r.group(1))).sum();
        assertThat(rowsRead).as(plan).isLessThan(most);
        return true;
    }

    private Exchange message(String integrationId, String scope, String messageId, String text) {
        Exchange e = new DefaultExchange(camel);
        var m = e.getMessage();
        m.setHeader("larkwayIntegrationId", integrationId);
        m.setHeader("larkwayScopeKey", scope);
        m.setHeader("larkwayExpertId", "exp_test");
        m.setHeader("larkwayChatType", "p2p");
        m.setHeader("larkwayChatId", "oc_test");
        m.setHeader("larkwaySenderOpenId", "ou_test");
        m.setHeader("larkwayMessageId", messageId);
        m.setBody(text);
        return e;
    }
}
