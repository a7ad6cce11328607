package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkEmulator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** {@code larkway.reply.format=card}: every answer, plain ones too, goes out as a card with a markdown element. */
@TestPropertySource(properties = "larkway.reply.format=card")
class CardFormatTest extends FlowFixture {
    @Test
    void withFormatCardAPlainAnswerGoesOutAsACard() throws Exception {
        Setup s = echo();
        p2p(s, "ou_plain", "just a few words, nothing else");
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message m = LARK.messages(s.app().appId()).get(0);
        assertThat(m.msgType()).isEqualTo("interactive");
        JsonNode elements = JSON.readTree(m.content()).path("elements");
        assertThat(elements).hasSize(1);
        assertThat(elements.get(0).path("tag").asText()).isEqualTo("markdown");
        assertThat(elements.get(0).path("content").asText()).isEqualTo("just a few words, nothing else");
    }
}
