package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkCards;
import io.larkway.emulator.LarkEmulator;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How answers look in Lark (PRODUCT.md §11): text, Markdown cards with their images, an expert's own card. */
class AnswerFormatsTest extends FlowFixture {
    static final LarkCards CARDS = LarkCards.on(LARK);
    static HttpServer experts;

    /** http experts answering each format: /markdown, /card, /bad-card (a card Lark cannot render). */
    @BeforeAll
    static void fakeExperts() throws Exception {
        experts = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            String answer = switch (req.path()) {
                case "/markdown" -> JSON.createObjectNode().put("markdown", "# Result\nall **fine**").toString();
                case "/card" -> "{\"card\":{\"config\":{\"wide_screen_mode\":true},\"elements\":[{\"tag\":\"div\",\"text\":{\"tag\":\"plain_text\","
                        + "\"content\":\"from the expert\"}},{\"tag\":\"action\",\"actions\":[{\"tag\":\"button\",\"text\":{\"tag\":\"plain_text\","
                        + "\"content\":\"OK\"},\"value\":{\"choice\":\"ok\"}}]}]}}";
                case "/bad-card" -> "{\"card\":{\"elements\":[{\"text\":\"an element without a tag\"}]}}";
                case "/text" -> JSON.createObjectNode().put("text", "**not** rendered").toString();
                default -> "{}";
            };
            req.response().putHeader("Content-Type", "application/json").end(answer);
        }));
        experts.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        experts.close();
    }

    Setup http(String path) {
        return setup(Map.of("name", "hook", "type", "http", "url", "http://127.0.0.1:" + experts.actualPort() + path), Map.of());
    }

    static LarkEmulator.Message only(Setup s) {
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        return LARK.messages(s.app().appId()).get(0);
    }

    static JsonNode content(LarkEmulator.Message m) throws Exception {
        return JSON.readTree(m.content());
    }

    @Test
    void aMarkdownAnswerArrivesAsACardWithAMarkdownElement() throws Exception {
        Setup s = echo();
        p2p(s, "ou_md", "## Plan\n- **first** step\n- then `run` it");
        LarkEmulator.Message m = only(s);
        assertThat(m.msgType()).isEqualTo("interactive");
        JsonNode elements = content(m).path("elements");
        assertThat(elements).hasSize(1);
        assertThat(elements.get(0).path("tag").asText()).isEqualTo("markdown");
        assertThat(elements.get(0).path("content").asText()).isEqualTo("## Plan\n- **first** step\n- then `run` it");
    }

    @Test
    void aPlainAnswerStaysText() {
        Setup s = echo();
        p2p(s, "ou_plain", "just a few words, nothing else");
        LarkEmulator.Message m = only(s);
        assertThat(m.msgType()).isEqualTo("text");
        assertThat(text(m)).isEqualTo("just a few words, nothing else");
    }

    @Test
    void anAnswerImageIsUploadedAndShownByItsKey() throws Exception {
        Setup s = echo();
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', (byte) 0xff, 0};
        String url = CARDS.host("chart-" + s.app().appId() + ".png", png);
        p2p(s, "ou_img", "Here is the **chart**:\n![the chart](" + url + ")\nas promised");
        LarkEmulator.Message m = only(s);
        assertThat(m.msgType()).isEqualTo("interactive");
        List<LarkCards.Image> uploaded = CARDS.images(s.app().appId());
        assertThat(uploaded).hasSize(1);
        assertThat(uploaded.get(0).bytes()).isEqualTo(png);
        JsonNode elements = content(m).path("elements");
        assertThat(elements).extracting(e -> e.path("tag").asText()).containsExactly("markdown", "img", "markdown");
        assertThat(elements.get(1).path("img_key").asText()).isEqualTo(uploaded.get(0).imageKey());
        assertThat(elements.get(1).path("alt").path("content").asText()).isEqualTo("the chart");
        assertThat(elements.get(0).path("content").asText()).isEqualTo("Here is the **chart**:");
        assertThat(elements.get(2).path("content").asText()).isEqualTo("as promised");
    }

    @Test
    void anAnswerTriesAtMostTenImagesAPartEvenWhenTheyFail() throws Exception {
        // images that cannot be shown used not to count: an answer of many failing image URLs fetched every one (each up to the timeout)
        Setup s = echo();
        String tag = "gone-" + s.app().appId();
        String answer = IntStream.range(0, 15).mapToObj(i -> "![" + i + "](" + LARK.baseUrl() + "/files/" + tag + "-" + i + ".png)")
                .collect(Collectors.joining(" "));
        p2p(s, "ou_gone_images", answer);
        LarkEmulator.Message m = only(s);
        assertThat(m.msgType()).isEqualTo("interactive");
        assertThat(LARK.requests("GET", "/files/" + tag + "-.*")).hasSize(10);
    }

    @Test
    void anExpertChoosesMarkdownTextOrItsOwnCard() throws Exception {
        Setup markdown = http("/markdown");
        p2p(markdown, "ou_f1", "q");
        JsonNode card = content(only(markdown));
        assertThat(card.path("elements").get(0).path("tag").asText()).isEqualTo("markdown");
        assertThat(card.path("elements").get(0).path("content").asText()).isEqualTo("# Result\nall **fine**");

        Setup text = http("/text");
        p2p(text, "ou_f2", "q");
        LarkEmulator.Message plain = only(text);
        assertThat(plain.msgType()).isEqualTo("text");
        assertThat(text(plain)).isEqualTo("**not** rendered");

        Setup own = http("/card");
        p2p(own, "ou_f3", "q");
        LarkEmulator.Message sent = only(own);
        assertThat(sent.msgType()).isEqualTo("interactive");
        assertThat(content(sent).path("elements").get(1).path("actions").get(0).path("value").path("choice").asText()).isEqualTo("ok");
    }

    @Test
    void aCardLarkRefusesIsADeadLetterWithLarksReason() {
        Setup s = http("/bad-card");
        p2p(s, "ou_bad", "q");
        String path = "/api/integrations/" + s.integrationId() + "/dead-letters";
        await().atMost(Duration.ofSeconds(15)).until(() -> call("GET", path, s.key(), null).json().path("items").size() == 1);
        assertThat(call("GET", path, s.key(), null).json().path("items").get(0).path("reason").asText())
                .contains("Failed to create card content").contains("element without a tag");
        assertThat(LARK.messages(s.app().appId())).isEmpty();
    }
}
