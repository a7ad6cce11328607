package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.WebhookSender;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import io.larkway.expert.ExpertGuard;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/** One tenant cannot hold another's turns or dispatch, nor grow what the service keeps for it without bound. */
@TestPropertySource(properties = {
        "larkway.limits.turns-per-org=2",
        "larkway.conversation.max-waiting-messages=3",
        // the slow experts below block until released; they must not time out meanwhile
        "larkway.conversation.expert-timeout-seconds=60"})
class TenancyFlowTest extends FlowFixture {

    @Autowired
    CamelContext camel;

    @AfterEach
    void clearEmulator() {
        LARK.clearDelays();
    }

    /** A camel expert that blocks until {@code release}, counting the turns that entered it. */
    Setup slow(CountDownLatch release, AtomicInteger entered) throws Exception {
        String endpoint = "direct:tenancy-slow-" + UUID.randomUUID().toString().substring(0, 8);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(endpoint).routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP).process(e -> {
                    entered.incrementAndGet();
                    release.await(30, TimeUnit.SECONDS);
                    // the camel expert's body is the §10 request (JSON)
                    e.getMessage().setBody("slow: " + JSON.readTree(e.getMessage().getBody(String.class)).path("text").asText());
                });
            }
        });
        return setup(Map.of("name", "slow", "type", "camel", "uri", endpoint), Map.of());
    }

    JsonNode status(Setup s) {
        return call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json();
    }

    @Test
    void anOrganisationAtItsTurnLimitLeavesTheOthersTheirTurnsAndLosesNone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        Setup a = slow(release, entered);
        Setup b = echo();
        List<String> senders = IntStream.range(0, 20).mapToObj(i -> "ou_busy_" + i).toList();
        try {
            senders.forEach(u -> p2p(a, u, "hello from " + u));
            await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() >= 2);

            // another organisation's message is answered while A's expert is still blocked
            p2p(b, "ou_other_tenant", "echo me");
            await().atMost(Duration.ofSeconds(5)).until(() -> LARK.messages(b.app().appId()).size() == 1);
            assertThat(LARK.messages(a.app().appId())).isEmpty();
            assertThat(entered.get()).isEqualTo(2);

            // A sees why its chats wait
            await().atMost(Duration.ofSeconds(5)).until(() -> status(a).path("counters").path("turnsLimited").asLong() == 18);
            // once, not per held-back message: a burst must not push every other error out of the last 50 (nor commit each)
            assertThat(status(a).path("recentErrors").findValuesAsText("message"))
                    .filteredOn(m -> m.contains("turn limit of 2 reached for the organisation")).hasSize(1);
            assertThat(status(b).path("counters").path("turnsLimited").asLong()).isZero();
        } finally {
            release.countDown();
        }
        // none of A's turns is lost: each chat gets its answer once A's turns end
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(a.app().appId()).size() == 20);
        assertThat(LARK.messages(a.app().appId()).stream().map(FlowFixture::text))
                .containsExactlyInAnyOrderElementsOf(senders.stream().map(u -> "slow: hello from " + u).toList());
    }

    @Test
    void aChatKeepsAtMostMaxWaitingMessagesWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        Setup s = slow(release, entered);
        try {
            p2p(s, "ou_chatty", "first");
            await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1);
            for (int i = 0; i < 5; i++) {
                p2p(s, "ou_chatty", "more " + i);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> status(s).path("counters").path("dropped").path("too_many_waiting").asLong() == 2);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(LARK.messages(s.app().appId()).stream().map(FlowFixture::text)).containsExactly("slow: first", "slow: more 0\nmore 1\nmore 2");
    }

    @Test
    void aSlowLarkForOneTenantDoesNotHoldAnotherTenantsDispatch() {
        Setup a = echo();
        Setup b = echo();
        // A's first group message needs its bot's identity, which its Lark is slow to give
        LARK.delay(a.app().appId(), "GET", "/open-apis/bot/v3/info", 6000);
        say(a, "group", "oc_" + UUID.randomUUID(), "ou_group_member", "@_user_1 hello group", Map.of("@_user_1", a.app().botOpenId()));
        long sent = System.nanoTime();
        p2p(b, "ou_waiting_tenant", "am I held up?");
        await().atMost(Duration.ofSeconds(3)).until(() -> LARK.messages(b.app().appId()).size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(3));
        // A's message is not lost: it is dispatched once the identity is known
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(a.app().appId()).size() == 1);
        assertThat(text(LARK.messages(a.app().appId()).get(0))).isEqualTo("hello group");
    }

    @Test
    void messageIdsAreOnePathSegmentInEveryLarkCall() {
        Setup s = echo();
        for (String messageId : List.of("om_" + UUID.randomUUID() + "/../x?y=1#z", "..")) {
            var envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), messageId, "p2p", "oc_p2p_ou_ids", "ou_ids", "id " + messageId,
                    Instant.now(), null);
            assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);
            String path = Pattern.quote("/open-apis/im/v1/messages/" + URLEncoder.encode(messageId, StandardCharsets.UTF_8).replace(".", "%2E"));
            // the Typing reaction goes out beside the turn (wireTap), so it may reach Lark after the reply
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.requests("POST", path + "/reply").size() == 1
                    && LARK.requests("POST", path + "/reactions").size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> LARK.requests("DELETE", path + "/reactions/.+").size() == 1);
        }
        assertThat(LARK.messages(s.app().appId()).stream().map(FlowFixture::text)).hasSize(2).allMatch(t -> t.startsWith("id "));
    }
}
