package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkCards;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkRateLimits;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Answers under Lark's limits and larkway's policies: a burst to one chat stays within Lark's rate
 * limits; an answer image on a private network is never fetched. With the default expert URL policy
 * (no private networks) and short parts, so one answer is a burst.
 */
@TestPropertySource(properties = {"larkway.experts.allow-private-networks=false", "larkway.reply.max-text-length=60"})
class AnswerLimitsTest extends FlowFixture {
    static final LarkRateLimits LIMITS = LarkRateLimits.on(LARK);
    static final LarkCards CARDS = LarkCards.on(LARK);

    @Test
    void aBurstOfFiftyAnswersToOneChatMeetsNoRateLimit() {
        Setup s = echo();
        LIMITS.limit(s.app().appId(), 5, 50);
        String answer = IntStream.rangeClosed(1, 50).mapToObj(i -> String.format("answer %02d of the burst, plain words only", i))
                .collect(Collectors.joining("\n"));
        p2p(s, "ou_burst", answer);
        await().atMost(Duration.ofSeconds(90)).until(() -> LARK.messages(s.app().appId()).size() == 50);
        assertThat(LIMITS.refused(s.app().appId())).isZero();
        assertThat(LARK.messages(s.app().appId())).extracting(FlowFixture::text)
                .containsExactlyElementsOf(List.of(answer.split("\n")));
        assertThat(call("GET", "/api/integrations/" + s.integrationId() + "/dead-letters", s.key(), null).json().path("items")).isEmpty();
    }

    @Test
    void anImageOnAPrivateNetworkIsNeverFetchedItsAltTextShowsAndStatusSaysWhy() throws Exception {
        Setup s = echo();
        String url = CARDS.host("p.png", new byte[] {1, 2, 3});
        p2p(s, "ou_priv", "See ![the chart](" + url + ")");
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message m = LARK.messages(s.app().appId()).get(0);
        assertThat(m.msgType()).isEqualTo("interactive");
        JsonNode elements = JSON.readTree(m.content()).path("elements");
        assertThat(elements).hasSize(1);
        assertThat(elements.get(0).path("content").asText()).isEqualTo("See the chart");
        assertThat(LARK.requests("GET", "/files/p.png")).isEmpty();
        assertThat(CARDS.images(s.app().appId())).isEmpty();
        JsonNode status = call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json();
        assertThat(status.path("recentErrors").findValuesAsText("message")).anyMatch(e -> e.contains("alt text") && e.contains("private network"));
    }
}
