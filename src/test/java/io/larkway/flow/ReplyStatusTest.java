package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Status says whether answers get out (replies{status, lastError, lastSentAt}); a mute webhook bot is failing and DOWN. */
class ReplyStatusTest extends FlowFixture {
    private static final String REFUSAL = "{\"code\":230002,\"msg\":\"Bot/User can NOT be out of the chat.\"}";

    @Test
    void aWebhookWhoseRepliesFailIsFailingAndDownUntilAReplyGetsOutAgain() {
        Setup s = echo();
        JsonNode fresh = status(s);
        assertThat(fresh.path("replies").path("status").asText()).isEqualTo("idle");
        assertThat(fresh.path("replies").path("lastSentAt").isNull()).isTrue();

        LARK.refuse(s.app().appId(), "POST", "/open-apis/im/v1/messages.*", 400, REFUSAL);
        try {
            p2p(s, "ou_mute", "anyone there?");
            await().atMost(Duration.ofSeconds(10)).until(() -> "failing".equals(status(s).path("replies").path("status").asText()));
            JsonNode failing = status(s);
            assertThat(failing.path("replies").path("lastError").asText()).contains("Bot/User can NOT be out of the chat");
            assertThat(failing.path("status").asText()).isEqualTo("failing");
            JsonNode down = health(s.integrationId());
            assertThat(down.path("status").asText()).isEqualTo("DOWN");
            assertThat(down.path("details").path("reason").asText()).startsWith("replies failing").contains("Bot/User can NOT be out of the chat");
        } finally {
            LARK.clearFaults(s.app().appId());
        }

        Instant before = Instant.now().minusSeconds(1);
        p2p(s, "ou_back", "and now?"); // another chat: the first one's turn may still be ending
        await().atMost(Duration.ofSeconds(10)).until(() -> "ok".equals(status(s).path("replies").path("status").asText()));
        JsonNode ok = status(s);
        assertThat(ok.path("replies").path("lastError").isNull()).isTrue();
        assertThat(Instant.parse(ok.path("replies").path("lastSentAt").asText())).isAfter(before);
        assertThat(ok.path("status").asText()).isEqualTo("receiving");
        assertThat(health(s.integrationId()).path("status").asText()).isEqualTo("UP");
    }

    /** A reply per message used to be a row write (a commit) per message: successes rewrite the row at most every 10 s. */
    @Test
    void successesRewriteTheOutcomeAtMostEveryTenSeconds() {
        Setup s = echo();
        p2p(s, "ou_one", "one");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ok".equals(status(s).path("replies").path("status").asText()));
        String first = status(s).path("replies").path("lastSentAt").asText();

        p2p(s, "ou_two", "two");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> status(s).path("replies").path("lastSentAt").asText().equals(first));

        clock.advance(Duration.ofSeconds(11));
        p2p(s, "ou_three", "three");
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.parse(status(s).path("replies").path("lastSentAt").asText())
                .isAfter(Instant.parse(first).plusSeconds(10)));
    }

    private JsonNode status(Setup s) {
        return call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json();
    }

    /** The integration's health component (shown to the admin key only). */
    private JsonNode health(String integrationId) {
        return call("GET", "/actuator/health", ADMIN_KEY, null).json().path("components").path("integrations").path("components").path(integrationId);
    }
}
