package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.emulator.WebhookSender;
import io.larkway.expert.ExpertGuard;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The integration's preferred language (PRODUCT.md §10): the texts larkway writes itself come from the
 * bundle of that language, overridden by larkway.texts.&lt;language&gt;.&lt;key&gt; (and, for en, the older
 * larkway.conversation.&lt;key&gt;); every expert gets the language.
 */
@TestPropertySource(properties = {
        "larkway.texts.zh-Hans.new-conversation-reply=新对话（覆盖）",
        "larkway.texts.ja.expert-failure-reply=ja override",
        "larkway.conversation.unsupported-message-reply=Only text, please (older key)."})
class LanguageTest extends FlowFixture {
    static HttpServer fake;

    @Autowired
    CamelContext camel;

    /** /broken fails; /language answers with the request's language field. */
    @BeforeAll
    static void fakeExpert() throws Exception {
        fake = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            switch (req.path()) {
                case "/language" -> {
                    String language;
                    try {
                        language = JSON.readTree(body.getBytes()).path("language").asText("(none)");
                    } catch (java.io.IOException e) {
                        language = "(not json)";
                    }
                    req.response().putHeader("Content-Type", "application/json").end(JSON.createObjectNode().put("text", "language " + language).toString());
                }
                case "/broken" -> req.response().setStatusCode(500).end("boom");
                default -> req.response().setStatusCode(404).end();
            }
        }));
        fake.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    Setup in(String language, Map<String, Object> expert) {
        Setup s = setup(expert, Map.of());
        if (!language.equals("en")) {
            Answer a = call("PUT", "/api/integrations/" + s.integrationId(), s.key(), Map.of("preferredLanguage", language));
            assertThat(a.status()).as(a.toString()).isEqualTo(200);
        }
        return s;
    }

    Map<String, Object> http(String path) {
        return Map.of("name", "hook", "type", "http", "url", "http://127.0.0.1:" + fake.actualPort() + path);
    }

    String firstReply(Setup s) {
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        return text(LARK.messages(s.app().appId()).get(0));
    }

    @Test
    void aFailingExpertsApologyIsInTheIntegrationsLanguage() {
        Setup zh = in("zh-Hans", http("/broken"));
        p2p(zh, "ou_zh", "你好");
        assertThat(firstReply(zh)).isEqualTo("抱歉，专家暂时无法回答，请稍后再试。");

        Setup en = in("en", http("/broken"));
        p2p(en, "ou_en", "hello");
        assertThat(firstReply(en)).isEqualTo("Sorry, the expert could not answer just now. Please try again in a moment.");
    }

    @Test
    void configuredTextsOverrideTheBundles() {
        // larkway.texts.ja.expert-failure-reply
        Setup ja = in("ja", http("/broken"));
        p2p(ja, "ou_ja", "こんにちは");
        assertThat(firstReply(ja)).isEqualTo("ja override");
        // larkway.texts.zh-Hans.new-conversation-reply (a language key with capitals, as application.yaml writes it)
        Setup zh = in("zh-Hans", Map.of("name", "echo", "type", "echo"));
        p2p(zh, "ou_zh_new", "/new");
        assertThat(firstReply(zh)).isEqualTo("新对话（覆盖）");
        // the older larkway.conversation.unsupported-message-reply overrides the en text only
        Setup en = in("en", Map.of("name", "echo", "type", "echo"));
        image(en);
        assertThat(firstReply(en)).isEqualTo("Only text, please (older key).");
        Setup zhImage = in("zh-Hans", Map.of("name", "echo", "type", "echo"));
        image(zhImage);
        assertThat(firstReply(zhImage)).isEqualTo("抱歉，我无法读取这条消息。");
    }

    @Test
    void everyExpertGetsTheLanguage() throws Exception {
        Setup ja = in("ja", http("/language"));
        p2p(ja, "ou_ja_http", "which language?");
        assertThat(firstReply(ja)).isEqualTo("language ja");

        if (camel.getRoute("language-expert") == null) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:language-expert").routeId("language-expert").routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP)
                            .setBody(simple("language ${header.larkwayLanguage}"));
                }
            });
        }
        Setup zh = in("zh-Hans", Map.of("name", "route", "type", "camel", "uri", "direct:language-expert"));
        p2p(zh, "ou_zh_camel", "哪种语言？");
        assertThat(firstReply(zh)).isEqualTo("language zh-Hans");
    }

    /** A message whose content cannot be read (answered with the unsupported-message text). */
    void image(Setup s) {
        JsonNode image = s.sender().messageEnvelope(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_img_" + UUID.randomUUID(),
                "ou_img", "x", Instant.now(), null);
        ((ObjectNode) image.path("event").path("message")).put("content", "{not json");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(image.toString(), true)).statusCode()).isEqualTo(200);
    }
}
