package io.larkway.flow.converse;

import io.larkway.flow.FlowHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
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
        assertThat(db.sql("SELECT state FROM sessions WHERE id = ?").param(sessionId).query(String.class).single()).isEqualTo("idle");

        // and the same message once more, with the scope free: it is taken again (the inbox, not the queue, dedupes answered messages)
        Exchange late = message(integrationId, scope, "om_again", "again");
        conversations.claimOrQueue(late);
        assertThat(late.getMessage().getHeader("larkwayTurn")).isEqualTo("claimed");
        conversations.finish(late);
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
