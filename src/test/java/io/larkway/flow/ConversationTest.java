package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.expert.ExpertGuard;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Windows, sessions and turns: merging, caps, timeouts, /new and one turn at a time per scope. */
class ConversationTest extends FlowFixture {
    static final AtomicInteger inTurn = new AtomicInteger();
    static final AtomicInteger maxInTurn = new AtomicInteger();

    @Autowired
    CamelContext camel;
    @Autowired
    JdbcClient db;

    @Test
    void messagesWithinTheWindowBecomeOneTurnInOrder() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("aggregationWindowSeconds", 1));
        List.of("one", "two", "three").forEach(t -> p2p(s, "ou_win", t));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("one\ntwo\nthree");
        inboxLeasesRunOut(); // one turn, also once the events' leases have run out
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
    }

    @Test
    void windowZeroAnswersEachMessageAndTheMessageCapClosesAWindow() {
        Setup zero = echo();
        List.of("a", "b").forEach(t -> p2p(zero, "ou_each_" + t, t));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(zero.app().appId()).size() == 2);

        Setup capped = setup(Map.of("name", "echo", "type", "echo"), Map.of("aggregationWindowSeconds", 2));
        IntStream.rangeClosed(1, 9).forEach(i -> p2p(capped, "ou_cap", "m" + i));
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(capped.app().appId()).size() == 2);
        assertThat(text(LARK.messages(capped.app().appId()).get(0))).isEqualTo("m1\nm2\nm3\nm4\nm5\nm6\nm7\nm8");
        assertThat(text(LARK.messages(capped.app().appId()).get(1))).isEqualTo("m9");
    }

    @Test
    void aSlidingWindowNeverOutlivesItsTimeCap() {
        // window 2 s, cap 4 x 2 s: a message every 1.6 s (on the clock, which also runs on) keeps sliding it; the sixth comes
        // after the 8 s cap and the window closes at once (before the 8-message cap), not 2 s later. The clock moves on once the
        // window holds the message (its event is done): between messages the window's own 2 s never run out, only the cap closes it.
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("aggregationWindowSeconds", 2));
        long start = clock.millis();
        for (int i = 0; i < 6 && LARK.messages(s.app().appId()).isEmpty(); i++) {
            if (i > 0) {
                clock.advance(Duration.ofMillis(1600));
            }
            p2p(s, "ou_slide", "s" + i);
            int held = i + 1;
            await().atMost(Duration.ofSeconds(10)).until(() -> db.sql("SELECT COUNT(*) FROM inbound_events e WHERE e.integration_id = ? AND " + io.larkway.flow.inbox.InboxRows.STATE + " = 'done'")
                    .param(s.integrationId()).query(Integer.class).single() == held);
        }
        // at once: well before the window's own 2 s would have closed it
        await().atMost(Duration.ofMillis(1800)).until(() -> !LARK.messages(s.app().appId()).isEmpty());
        long closedAfter = clock.millis() - start;
        assertThat(closedAfter).isBetween(7000L, 11000L);
        assertThat(text(LARK.messages(s.app().appId()).get(0)).split("\n").length).isLessThan(8).isGreaterThan(4);
    }

    @Test
    void sessionTimeoutStartsANewConversationAndNewEndsOne() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("sessionTimeoutSeconds", 2));
        p2p(s, "ou_sess", "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        String first = conversation(s);
        p2p(s, "ou_sess", "second, soon after");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(conversation(s)).isEqualTo(first);
        clock.advance(Duration.ofMillis(2500)); // past the 2 s session timeout
        p2p(s, "ou_sess", "after the timeout");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 3);
        String third = conversation(s);
        assertThat(third).isNotEqualTo(first);

        p2p(s, "ou_sess", "/new");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 4);
        assertThat(text(LARK.messages(s.app().appId()).get(3))).isEqualTo(english(SystemTexts.NEW_CONVERSATION));
        assertThat(conversation(s)).isNotEqualTo(third);

        // the Sessions tab: filters, and DELETE ends the conversation
        JsonNode session = call("GET", "/api/sessions?integrationId=" + s.integrationId() + "&chatType=p2p&expertId=" + s.expertId(), s.key(), null)
                .json().path("items").get(0);
        assertThat(session.path("senderOpenId").asText()).isEqualTo("ou_sess");
        assertThat(session.path("state").asText()).isEqualTo("idle");
        assertThat(call("GET", "/api/sessions?chatType=group&integrationId=" + s.integrationId(), s.key(), null).json().path("items")).isEmpty();
        assertThat(call("GET", "/api/sessions?chatType=carrier", s.key(), null).status()).isEqualTo(400);
        String before = conversation(s);
        assertThat(call("DELETE", "/api/sessions/" + session.path("id").asText(), s.key(), null).status()).isEqualTo(204);
        assertThat(conversation(s)).isNotEqualTo(before);
        assertThat(call("DELETE", "/api/sessions/" + session.path("id").asText(), newOrg(), null).status()).isEqualTo(404);
    }

    @Test
    void oneTurnAtATimePerScopeAndWaitingMessagesJoinTheNextTurnInOrder() throws Exception {
        if (camel.getRoute("slow-expert") == null) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:slow-expert").routeId("slow-expert").routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP)
                            .process(e -> maxInTurn.accumulateAndGet(inTurn.incrementAndGet(), Math::max))
                            .delay(700)
                            .process(e -> inTurn.decrementAndGet())
                            // the body is the §10 request (JSON); its text
                            .process(e -> e.getMessage().setBody("answered: " + JSON.readTree(e.getMessage().getBody(String.class)).path("text").asText()));
                }
            });
        }
        Setup s = setup(Map.of("name", "slow", "type", "camel", "uri", "direct:slow-expert"), Map.of());
        p2p(s, "ou_busy", "q1");
        await().atMost(Duration.ofSeconds(5)).until(() -> inTurn.get() == 1);
        p2p(s, "ou_busy", "q2");
        p2p(s, "ou_busy", "q3");
        // the dev console shows the running turn with its expert and the messages waiting behind it
        await().atMost(Duration.ofSeconds(5)).until(() -> call("GET", "/actuator/camel/lark", null, null).json().path("lark").path("turns")
                .findValuesAsText("expertId").contains(s.expertId()));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("answered: q1");
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("answered: q2\nq3");
        assertThat(maxInTurn.get()).isEqualTo(1);
    }

    @Test
    void aWindowIsConfirmedOnceItsTurnIsClaimedNotWhenTheTurnEnds() throws Exception {
        // while a completed window is unconfirmed, another instance's recovery may hand it on again (after the orphan grace);
        // the turn holds its messages from its claim on, so the window must be gone from then on, however long the expert takes
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:held-expert").routeId("held-expert").routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP)
                        .process(e -> {
                            entered.countDown();
                            release.await(2, TimeUnit.SECONDS);
                        })
                        // the body is the §10 request (JSON); its text
                            .process(e -> e.getMessage().setBody("held: " + JSON.readTree(e.getMessage().getBody(String.class)).path("text").asText()));
            }
        });
        try {
            Setup s = setup(Map.of("name", "held", "type", "camel", "uri", "direct:held-expert"), Map.of("aggregationWindowSeconds", 1));
            p2p(s, "ou_held", "w1");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> db.sql("SELECT COUNT(*) FROM windows_completed").query(Integer.class).single() == 0);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
            assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("held: w1");
        } finally {
            release.countDown();
            camel.getRouteController().stopRoute("held-expert");
            camel.removeRoute("held-expert");
        }
    }

    private String conversation(Setup s) {
        return call("GET", "/api/sessions?integrationId=" + s.integrationId(), s.key(), null).json().path("items").get(0).path("conversationId").asText();
    }
}
