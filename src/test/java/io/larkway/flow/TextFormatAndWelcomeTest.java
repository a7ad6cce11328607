package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkLifecycleEvents;
import io.larkway.emulator.WebhookSender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * What an operator configures for every integration: {@code larkway.reply.format=text} (Markdown answers go out as
 * text, as they are) and a default welcome in one language ({@code larkway.texts.<language>.welcome-message}) for
 * triggers without a welcomeMessage of their own.
 */
@TestPropertySource(properties = {"larkway.reply.format=text", "larkway.texts.ja.welcome-message=ようこそ。何でも聞いてください。"})
class TextFormatAndWelcomeTest extends FlowFixture {
    @Autowired
    MeterRegistry meters;

    @Test
    void withFormatTextAMarkdownAnswerGoesOutAsText() {
        Setup s = echo();
        p2p(s, "ou_md", "## Plan\n- **first** step");
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message m = LARK.messages(s.app().appId()).get(0);
        assertThat(m.msgType()).isEqualTo("text");
        assertThat(text(m)).isEqualTo("## Plan\n- **first** step");
    }

    @Test
    void aTriggerWithoutWelcomeSendsTheOperatorsDefaultInTheIntegrationsLanguageAndNothingWhereThereIsNone() {
        Setup ja = echo();
        assertThat(call("PUT", "/api/integrations/" + ja.integrationId(), ja.key(), Map.of("preferredLanguage", "ja")).status()).isEqualTo(200);
        String chat = "oc_welcome_" + UUID.randomUUID();
        botAdded(ja, chat);
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(ja.app().appId()).size() == 1);
        LarkEmulator.Message welcome = LARK.messages(ja.app().appId()).get(0);
        assertThat(welcome.target()).isEqualTo("chat_id:" + chat);
        assertThat(text(welcome)).isEqualTo("ようこそ。何でも聞いてください。");

        // English has no default welcome (the bundle's is empty): nothing is sent
        Setup en = echo();
        double before = dropped(en.integrationId(), "no_welcome_message");
        botAdded(en, "oc_welcome_en_" + UUID.randomUUID());
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped(en.integrationId(), "no_welcome_message") == before + 1);
        assertThat(LARK.messages(en.app().appId())).isEmpty();
    }

    private static void botAdded(Setup s, String chat) {
        var r = WebhookSender.post(s.url(), s.sender().wrap(LarkLifecycleEvents.botAdded(s.app().appId(), "vt-" + s.app().appId(), chat, "ou_admin")
                .toString(), true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private double dropped(String integrationId, String reason) {
        Counter c = meters.find("larkway.events.dropped").tags("integration", integrationId, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
