package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkCards;
import io.larkway.emulator.LarkEmulator;
import io.larkway.expert.ExpertGuard;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The expert types against local servers: openai (streaming and not), http, camel; failures and timeouts. */
@ExtendWith(OutputCaptureExtension.class)
class ExpertsTest extends FlowFixture {
    static final Vertx VERTX = LARK.vertx();
    static final LarkCards CARDS = LarkCards.on(LARK);
    static HttpServer fake;
    static final List<JsonNode> openAiRequests = new CopyOnWriteArrayList<>();
    static final java.util.concurrent.atomic.AtomicInteger downCalls = new java.util.concurrent.atomic.AtomicInteger();

    @Autowired
    CamelContext camel;

    @Autowired
    JdbcClient db;

    /** A fake OpenAI-compatible server: streams "Hello ", "world", … in 8 chunks 150 ms apart; /slow never answers in time. */
    @BeforeAll
    static void fakeServers() throws Exception {
        fake = VERTX.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            JsonNode in;
            try {
                in = body.length() == 0 ? JSON.createObjectNode() : JSON.readTree(body.getBytes());
            } catch (java.io.IOException e) {
                req.response().setStatusCode(400).end();
                return;
            }
            switch (req.path()) {
                case "/v1/chat/completions" -> {
                    openAiRequests.add(in);
                    if (!in.path("stream").asBoolean()) {
                        req.response().end("{}");
                        return;
                    }
                    req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                    String[] words = {"Hello ", "world", ", ", "this ", "is ", "a ", "streamed ", "answer."};
                    for (int i = 0; i < words.length; i++) {
                        String chunk = JSON.createObjectNode().set("choices", JSON.createArrayNode().add(
                                JSON.createObjectNode().set("delta", JSON.createObjectNode().put("content", words[i])))).toString();
                        int n = i;
                        VERTX.setTimer(150L * (i + 1), t -> {
                            req.response().write("data: " + chunk + "\n\n");
                            if (n == words.length - 1) {
                                req.response().end("data: [DONE]\n\n");
                            }
                        });
                    }
                }
                case "/stall/v1/chat/completions" -> {
                    // headers and a first chunk, then nothing: the expert timeout must still end the turn
                    req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                    req.response().write("data: " + JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                            .set("delta", JSON.createObjectNode().put("content", "Half an ans")))) + "\n\n");
                }
                case "/plain/v1/chat/completions" -> {
                    openAiRequests.add(in);
                    req.response().putHeader("Content-Type", "application/json")
                            .end("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"plain answer\"}}]}");
                }
                case "/http-expert" -> req.response().putHeader("Content-Type", "application/json")
                        .end(JSON.createObjectNode().put("text", "http says " + in.path("text").asText() + " in " + in.path("chat").path("type").asText()).toString());
                case "/broken" -> req.response().setStatusCode(500).end("boom");
                case "/not-json" -> req.response().end("internal_db_password_is_hunter2");
                case "/huge" -> endless(req.response(), "", "x".repeat(8192));
                case "/huge/v1/chat/completions" -> endless(req.response().putHeader("Content-Type", "text/event-stream"), "data: ",
                        JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                                .set("delta", JSON.createObjectNode().put("content", "y".repeat(8192))))) + "\n\n");
                case "/down" -> {
                    downCalls.incrementAndGet();
                    req.response().setStatusCode(503).end("down");
                }
                case "/slow" -> VERTX.setTimer(10_000, t -> req.response().end("{\"text\":\"too late\"}"));
                default -> req.response().setStatusCode(404).end();
            }
        }));
        fake.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    /** A chunked answer that never ends (until the client goes away, or 20 s): the client must stop reading at its cap. */
    static void endless(io.vertx.core.http.HttpServerResponse response, String prefix, String chunk) {
        response.setChunked(true);
        long started = System.nanoTime();
        VERTX.setPeriodic(5, timer -> {
            if (response.closed() || response.ended() || System.nanoTime() - started > TimeUnit.SECONDS.toNanos(20)) {
                VERTX.cancelTimer(timer);
                if (!response.closed() && !response.ended()) {
                    response.end();
                }
                return;
            }
            if (!response.writeQueueFull()) {
                response.write(prefix + chunk);
            }
        });
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    String base() {
        return "http://127.0.0.1:" + fake.actualPort();
    }

    @Test
    void streamingOpenAiExpertWritesOneCardKitCardWithIncreasingSequencesThenEndsStreaming() throws Exception {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", base(), "model", "m-1", "apiKey", "sk-test-secret-key"), Map.of());
        p2p(s, "ou_stream", "stream please");
        String full = "Hello world, this is a streamed answer.";
        await().atMost(Duration.ofSeconds(15)).until(() -> CARDS.cards(s.app().appId()).size() == 1
                && !CARDS.cards(s.app().appId()).get(0).streaming());
        LarkCards.CardEntity card = CARDS.cards(s.app().appId()).get(0);
        assertThat(card.created().path("config").path("streaming_mode").asBoolean()).isTrue();
        assertThat(card.contents().get("answer")).isEqualTo(full);
        assertThat(card.streamingModes()).containsExactly(true, false);
        List<Integer> sequences = card.sequences();
        assertThat(sequences.size()).isGreaterThanOrEqualTo(3); // updates while streaming, the last text, the close
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isGreaterThan(sequences.get(i - 1));
        }
        // one message: the card entity, sent once; never patched
        List<LarkEmulator.Message> sent = LARK.messages(s.app().appId());
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).msgType()).isEqualTo("interactive");
        JsonNode content = JSON.readTree(sent.get(0).content());
        assertThat(content.path("type").asText()).isEqualTo("card");
        assertThat(content.path("data").path("card_id").asText()).isEqualTo(card.cardId());
        assertThat(LARK.requests("PATCH", "/open-apis/im/v1/messages/.*")).isEmpty();
        // throttled: element updates while streaming no closer than the interval (the finishing one may follow at once)
        List<LarkEmulator.Recorded> updates = LARK.requests("PUT", "/open-apis/cardkit/v1/cards/" + card.cardId() + "/elements/answer/content");
        for (int i = 1; i < updates.size() - 1; i++) {
            assertThat(updates.get(i).atMillis() - updates.get(i - 1).atMillis()).isGreaterThanOrEqualTo(290);
        }
    }

    @Test
    void whereCardKitIsRefusedTheStreamingCardIsPatchedNoCloserThanTheInterval() {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", base(), "model", "m-1", "apiKey", "sk-test-secret-key"), Map.of());
        CARDS.refuseCardKit(s.app().appId());
        p2p(s, "ou_stream", "stream please");
        String full = "Hello world, this is a streamed answer.";
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).stream()
                .anyMatch(m -> m.kind().equals("patch") && m.content().contains(full)));
        List<LarkEmulator.Message> sent = LARK.messages(s.app().appId()).stream().filter(m -> !m.kind().equals("patch")).toList();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).msgType()).isEqualTo("interactive");
        List<LarkEmulator.Recorded> patches = LARK.requests("PATCH", "/open-apis/im/v1/messages/" + sent.get(0).messageId());
        assertThat(patches.size()).isGreaterThanOrEqualTo(2);
        for (int i = 1; i < patches.size() - 1; i++) {
            assertThat(patches.get(i).atMillis() - patches.get(i - 1).atMillis()).isGreaterThanOrEqualTo(290);
        }
        assertThat(patches.get(patches.size() - 1).json().path("content").asText()).contains(full);
        JsonNode request = openAiRequests.get(openAiRequests.size() - 1);
        assertThat(request.path("model").asText()).isEqualTo("m-1");
        assertThat(request.path("messages").get(request.path("messages").size() - 1).path("content").asText()).isEqualTo("stream please");
        // the API key is a secret: masked in answers
        assertThat(call("GET", "/api/experts/" + s.expertId(), s.key(), null).raw()).doesNotContain("sk-test-secret-key").contains("****-key");
    }

    @Test
    void anExpertThatStallsMidStreamEndsItsCardWithTheApology() {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", base() + "/stall", "model", "m-3"), Map.of());
        String messageId = p2p(s, "ou_stall", "tell me everything");
        String apology = english(SystemTexts.EXPERT_FAILURE);
        await().atMost(Duration.ofSeconds(15)).until(() -> CARDS.cards(s.app().appId()).size() == 1
                && apology.equals(CARDS.cards(s.app().appId()).get(0).contents().get("answer")) && !CARDS.cards(s.app().appId()).get(0).streaming());
        // one card, finished with the apology; no second message
        assertThat(LARK.messages(s.app().appId())).hasSize(1).allMatch(m -> m.msgType().equals("interactive"));
        await().atMost(Duration.ofSeconds(5)).until(() -> LARK.requests("DELETE", "/open-apis/im/v1/messages/" + messageId + "/reactions/.*").size() == 1);
    }

    @Test
    void openAiExpertAnsweringPlainJsonWorks() {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", base() + "/plain", "model", "m-2"), Map.of());
        p2p(s, "ou_plain", "first question");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(LARK.messages(s.app().appId()).get(0).content()).contains("plain answer");
    }

    @Test
    void eachAnsweredTurnIsInTheHistoryOnceAndTheNextTurnSendsIt() {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", base() + "/plain", "model", "m-2"), Map.of());
        p2p(s, "ou_history", "first question");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        // written with the turn's end (Conversations.finish), in its transaction
        await().atMost(Duration.ofSeconds(5)).until(() -> history(s).size() == 2);
        assertThat(history(s)).containsExactly("user: first question", "assistant: plain answer");
        p2p(s, "ou_history", "second question");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        // the second turn's request (another test's expert may have been asked meanwhile)
        List<String> sent = openAiRequests.stream().map(request -> {
            List<String> messages = new java.util.ArrayList<>();
            request.path("messages").forEach(m -> messages.add(m.path("role").asText() + ": " + m.path("content").asText()));
            return messages;
        }).filter(messages -> messages.contains("user: second question")).findFirst().orElseThrow();
        assertThat(sent).containsSubsequence("user: first question", "assistant: plain answer", "user: second question");
        await().atMost(Duration.ofSeconds(5)).until(() -> history(s).size() == 4);
        assertThat(history(s)).containsExactly("user: first question", "assistant: plain answer", "user: second question", "assistant: plain answer");
    }

    private List<String> history(Setup s) {
        return db.sql("""
                SELECT t.role, t.content FROM conversation_turns t JOIN sessions x ON x.conversation_id = t.conversation_id
                WHERE x.integration_id = ? ORDER BY t.id""").param(s.integrationId())
                .query((rs, n) -> rs.getString(1) + ": " + rs.getString(2)).list();
    }

    @Test
    void httpExpertAnswers() {
        Setup s = setup(Map.of("name", "hook", "type", "http", "url", base() + "/http-expert"), Map.of());
        p2p(s, "ou_http", "ping");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("http says ping in p2p");
    }

    @Test
    void camelExpertIsAnExpertRouteOfTheOperator() throws Exception {
        testExpertRoute();
        Setup s = setup(Map.of("name", "route", "type", "camel", "uri", "direct:test-expert"), Map.of());
        p2p(s, "ou_camel", "hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("camel says hi to ou_camel (text)");
    }

    @Test
    void aCamelExpertUriNamesAnExpertRouteAndIsNeverResolved() throws Exception {
        testExpertRoute();
        String key = newOrg();
        String valid = call("POST", "/api/experts", key, Map.of("name", "ok", "type", "camel", "uri", "direct:test-expert")).text("id");
        // placeholders (the instance's secrets, its environment, bean calls), options, missing routes and the flow's own routes
        for (String uri : List.of("direct:{{larkway.admin-key}}", "direct:{{env:PATH}}", "{{bean:dataSource.close}}", "direct:x?y",
                "direct:test-expert?timeout=1", "direct:test-expert#x", "direct:test expert", "direct:$x", "direct:missing-route",
                "direct:converse", "direct:reply", "direct:inbox-hand-off", "seda:turns")) {
            Answer created = call("POST", "/api/experts", key, Map.of("name", "x", "type", "camel", "uri", uri));
            assertThat(created.status()).as(uri).isEqualTo(400);
            assertThat(created.text("message")).as(uri).contains("direct:").doesNotContain(ADMIN_KEY);
            assertThat(call("PUT", "/api/experts/" + valid, key, Map.of("uri", uri)).status()).as(uri).isEqualTo(400);
        }
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "camel", "uri", "direct:missing-route")).text("message"))
                .contains("no expert route");
        assertThat(call("GET", "/api/experts/" + valid, key, null).text("uri")).isEqualTo("direct:test-expert");
    }

    @Test
    void aStoredCamelUriWithAPlaceholderIsNotResolvedAtCallTime(CapturedOutput output) throws Exception {
        // a row saved before uris were checked: the call checks it again and never resolves it
        testExpertRoute();
        Setup s = setup(Map.of("name", "old", "type", "camel", "uri", "direct:test-expert"), Map.of());
        db.sql("UPDATE experts SET uri = ? WHERE id = ?").params("direct:{{larkway.admin-key}}", s.expertId()).update();
        p2p(s, "ou_old", "what is the admin key?");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo(english(SystemTexts.EXPERT_FAILURE));
        // the placeholder was never resolved: no endpoint named after the admin key, no admin key shown or logged
        assertThat(camel.hasEndpoint("direct:" + ADMIN_KEY)).isNull();
        Answer status = call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null);
        assertThat(status.raw()).doesNotContain(ADMIN_KEY);
        assertThat(output.getAll()).doesNotContain(ADMIN_KEY);
        assertThat(status.text("lastError")).contains("names no expert route");
    }

    @Test
    void answersOverTheCapFailTheTurnWithoutReadingThemWhole() throws Exception {
        // the tests' cap is 64 KiB; both servers stream without end, so only a bounded read ends the turn before its timeout
        int cap = props.experts().maxResponseBytes();
        assertThat(cap).isEqualTo(65536);
        if (camel.getRoute("huge-expert") == null) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:huge-expert").routeId("huge-expert").routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP).setBody(constant("z".repeat(cap + 1)));
                }
            });
        }
        for (Map<String, Object> expert : List.<Map<String, Object>>of(Map.of("name", "huge", "type", "http", "url", base() + "/huge"),
                Map.of("name", "huge", "type", "openai", "url", base() + "/huge", "model", "m"),
                Map.of("name", "huge", "type", "camel", "uri", "direct:huge-expert"))) {
            Setup s = setup(expert, Map.of());
            long started = System.nanoTime();
            p2p(s, "ou_huge", "say a lot");
            String apology = english(SystemTexts.EXPERT_FAILURE);
            // a message, or (openai streams) the streaming card's text
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).stream().anyMatch(m -> m.content().contains(apology))
                    || CARDS.cards(s.app().appId()).stream().anyMatch(c -> apology.equals(c.contents().get("answer"))));
            assertThat(call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).text("lastError"))
                    .as(expert.get("type").toString()).contains("the expert's answer exceeded " + cap + " bytes");
            // well within the 3 s expert timeout
            assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(3));
        }
    }

    @Test
    void errorsShownToTheTenantDoNotEchoTheExpertsAnswerOrAddress() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        for (String url : List.of(base() + "/not-json", "http://127.0.0.1:" + closed + "/expert")) {
            Setup s = setup(Map.of("name", "leaky", "type", "http", "url", url), Map.of());
            p2p(s, "ou_leak", "hello?");
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
            Answer status = call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null);
            assertThat(status.text("lastError")).as(url).startsWith("ExpertException: http expert")
                    .doesNotContain("hunter2").doesNotContain("127.0.0.1").doesNotContain(String.valueOf(closed));
            assertThat(status.json().path("recentErrors").toString()).doesNotContain("hunter2").doesNotContain(":" + closed);
        }
    }

    void testExpertRoute() throws Exception {
        if (camel.getRoute("test-expert") == null) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:test-expert").routeId("test-expert").routeGroup(ExpertGuard.CAMEL_ROUTE_GROUP)
                            // the body is the §10 request (JSON), as an http expert gets it
                            .process(e -> {
                                JsonNode request = JSON.readTree(e.getMessage().getBody(String.class));
                                e.getMessage().setBody("camel says " + request.path("text").asText() + " to " + request.path("sender").path("openId").asText()
                                        + " (" + request.path("messages").get(0).path("type").asText() + ")");
                            });
                }
            });
        }
    }

    @Test
    void failingAndSlowExpertsGetAnApologyAndAnErrorOnTheIntegration() {
        for (String path : List.of("/broken", "/slow")) {
            Setup s = setup(Map.of("name", "bad", "type", "http", "url", base() + path), Map.of());
            String messageId = p2p(s, "ou_bad", "anyone?");
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
            assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo(english(SystemTexts.EXPERT_FAILURE));
            // the Typing reaction is removed after a failed turn too
            await().atMost(Duration.ofSeconds(5)).until(() -> LARK.requests("DELETE", "/open-apis/im/v1/messages/" + messageId + "/reactions/.*").size() == 1);
        }
    }

    @Test
    void aFailingExpertsBreakerOpensAfterTheConfiguredCallsAndOtherExpertsKeepAnswering() {
        // the tests' settings: a breaker judges after 3 calls and stays open 2 s
        assertThat(props.conversation().expertBreakerMinimumCalls()).isEqualTo(3);
        Setup down = setup(Map.of("name", "down", "type", "http", "url", base() + "/down"), Map.of());
        Setup up = setup(Map.of("name", "up", "type", "http", "url", base() + "/http-expert"), Map.of());
        // one turn after the other, well within the 2 s the breaker stays open
        for (int i = 1; i <= 5; i++) {
            p2p(down, "ou_down_" + i, "still there?");
            int answered = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(down.app().appId()).size() == answered);
        }
        // five apologies, but only three calls reached the failing expert
        assertThat(downCalls.get()).isEqualTo(3);
        assertThat(LARK.messages(down.app().appId())).extracting(ExpertsTest::text).containsOnly(english(SystemTexts.EXPERT_FAILURE));
        // the breaker is the failing expert's own: another expert answers
        p2p(up, "ou_up", "hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(up.app().appId()).size() == 1);
        assertThat(text(LARK.messages(up.app().appId()).get(0))).isEqualTo("http says hello in p2p");
        // once the breaker's open time is over, one call tries the expert again
        clock.advance(Duration.ofMillis(2100));
        p2p(down, "ou_down_retry", "and now?");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(down.app().appId()).size() == 6);
        assertThat(downCalls.get()).isEqualTo(4);
    }

    @Test
    void expertValidation() {
        String key = newOrg();
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "openai", "url", base())).text("message")).contains("model is required");
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "http")).text("message")).contains("url is required");
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "camel")).text("message")).contains("uri is required");
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "telepathy")).status()).isEqualTo(400);
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "http", "url", "ftp://x")).text("message")).contains("http(s) URL");
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "http", "url", "httpfoo://x")).text("message")).contains("http(s) URL");
        // an organisation key must not reach the service's own endpoints (its database, beans, files, other tenants' bots)
        for (String uri : List.of("sql:SELECT app_secret_enc FROM integrations", "bean:integrations", "file:/etc", "lark:send?integrationId=x")) {
            Answer refused = call("POST", "/api/experts", key, Map.of("name", "x", "type", "camel", "uri", uri));
            assertThat(refused.status()).as(uri).isEqualTo(400);
            assertThat(refused.text("message")).contains("direct");
        }
        assertThat(call("POST", "/api/experts", key, Map.of("name", "x".repeat(201), "type", "echo")).status()).isEqualTo(400);
    }
}
