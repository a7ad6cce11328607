package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkEmulator;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reply stage against the emulator's faults: retries, token refresh, breaker and dead letters, long text. */
class ReplyTest extends FlowFixture {

    @AfterEach
    void clearFaults() {
        LARK.clearFaults();
    }

    @Test
    void threeFailedSendsThenOneMessage() {
        Setup s = echo();
        LARK.failNext("POST", "/open-apis/im/v1/messages/.*/reply", 3, 500, "{\"code\":-1,\"msg\":\"internal error\"}");
        String messageId = p2p(s, "ou_retry", "retry me");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        List<LarkEmulator.Recorded> attempts = LARK.requests("POST", "/open-apis/im/v1/messages/" + messageId + "/reply");
        assertThat(attempts).hasSize(4);
        assertThat(attempts.stream().map(r -> r.json().path("uuid").asText()).distinct()).hasSize(1);
        inboxLeasesRunOut(); // nothing is sent again, not even once the event's lease has run out
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
    }

    @Test
    void invalidTokenIsRefetchedAndOneMessagePosted() {
        Setup s = echo();
        p2p(s, "ou_token", "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        int fetches = LARK.tokenFetches(s.app().appId());
        LARK.invalidateTokens();
        p2p(s, "ou_token2", "second");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(LARK.tokenFetches(s.app().appId())).isEqualTo(fetches + 1);
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("second");
    }

    @Test
    void outageOpensTheBreakerRepliesBecomeDeadLettersAndRetryPostsEachOnce() {
        Setup s = echo();
        LARK.failNext("POST", "/open-apis/im/v1/messages.*", 10_000, 503, "{\"code\":-1,\"msg\":\"service unavailable\"}");
        List<String> users = List.of("ou_o1", "ou_o2", "ou_o3");
        users.forEach(u -> p2p(s, u, "during outage " + u));
        String path = "/api/integrations/" + s.integrationId() + "/dead-letters";
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", path, s.key(), null).json().path("items").size() == 3);
        JsonNode letters = call("GET", path, s.key(), null).json().path("items");
        assertThat(letters.findValuesAsText("reason")).anyMatch(r -> r.contains("circuit breaker open"));
        assertThat(LARK.messages(s.app().appId())).isEmpty();

        LARK.clearFaults();
        // the breaker stays open until its open time has passed on the service's clock, then lets a call through
        assertThat(call("POST", path + "/" + letters.get(0).path("id").asText() + "/retry", s.key(), null).json().path("state").asText())
                .isNotEqualTo("delivered");
        assertThat(LARK.messages(s.app().appId())).isEmpty();
        clock.advance(Duration.ofSeconds(props.reply().breakerOpenSeconds()).plusMillis(1));
        await().pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(15)).until(() -> {
            for (JsonNode letter : call("GET", path, s.key(), null).json().path("items")) {
                if (!letter.path("state").asText().equals("delivered")) {
                    call("POST", path + "/" + letter.path("id").asText() + "/retry", s.key(), null);
                }
            }
            return LARK.messages(s.app().appId()).size() == 3;
        });
        // retrying again posts nothing new
        for (JsonNode letter : call("GET", path, s.key(), null).json().path("items")) {
            call("POST", path + "/" + letter.path("id").asText() + "/retry", s.key(), null);
        }
        assertThat(LARK.messages(s.app().appId())).hasSize(3);
        assertThat(LARK.messages(s.app().appId()).stream().map(FlowFixture::text).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("during outage ou_o1", "during outage ou_o2", "during outage ou_o3");
        assertThat(call("GET", "/api/integrations/" + s.integrationId() + "/dead-letters", "wrong-key", null).status()).isEqualTo(401);
    }

    @Test
    void longTextIsSplitIntoOrderedParts() {
        Setup s = echo();
        String text = IntStream.range(0, 300).mapToObj(i -> "line " + i + " " + "x".repeat(20)).collect(Collectors.joining("\n"));
        p2p(s, "ou_long", text);
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 3);
        List<String> parts = LARK.messages(s.app().appId()).stream().map(FlowFixture::text).toList();
        assertThat(parts).allMatch(p -> p.length() <= 4000);
        assertThat(String.join("\n", parts)).isEqualTo(text);
        assertThat(LARK.messages(s.app().appId()).stream().map(LarkEmulator.Message::uuid).distinct()).hasSize(3);
    }
}
