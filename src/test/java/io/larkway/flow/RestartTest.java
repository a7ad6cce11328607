package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.LarkwayApplication;
import io.larkway.TestClock;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/** Stopping the service between accept and processing, or with a window open, loses nothing. */
class RestartTest {
    static final LarkEmulator LARK = LarkEmulator.shared();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    final String dataDir = "./target/test-data/restart-" + UUID.randomUUID();

    final List<String> database = OwnDatabase.args();

    ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0", "--larkway.data-dir=" + dataDir, "--larkway.admin-key=restart-admin",
                "--larkway.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                "--larkway.lark.feishu-base-url=" + LARK.baseUrl(), "--larkway.lark.lark-base-url=" + LARK.baseUrl(),
                "--larkway.ingress.claim-lease-seconds=1", "--larkway.ingress.recovery-interval-ms=300",
                // idle seda consumers notice a stop within 0.1 s rather than their 1 s poll: the stops here take 2 s less each
                "--camel.component.seda.default-poll-timeout=100"));
        args.addAll(database);
        args.addAll(List.of(extra));
        return instance().run(args.toArray(String[]::new));
    }

    /** The clock of the instances these tests start by hand, one for all of them (they are one cluster): tests advance it past a lease. */
    static final TestClock CLOCK = TestClock.SHARED;

    /** An instance of the service on {@link #CLOCK}. */
    static SpringApplicationBuilder instance() {
        return new SpringApplicationBuilder(LarkwayApplication.class).initializers(c -> ((GenericApplicationContext) c)
                .registerBean("testClock", TestClock.class, () -> CLOCK, d -> d.setPrimary(true)));
    }

    /** Waits (bounded) until each instance's timer route {@code routeId} has completed two more rounds: one whole round read the clock as it is now. */
    static void twoRounds(String routeId, ConfigurableApplicationContext... instances) {
        List<NotifyBuilder> rounds = new ArrayList<>();
        for (ConfigurableApplicationContext c : instances) {
            rounds.add(new NotifyBuilder(c.getBean(CamelContext.class)).fromRoute(routeId).whenCompleted(2).create());
        }
        for (NotifyBuilder r : rounds) {
            assertThat(r.matches(10, java.util.concurrent.TimeUnit.SECONDS)).as(routeId + " rounds").isTrue();
        }
    }

    static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    static JsonNode post(int port, String path, String key, Object body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    record Bot(LarkEmulator.App app, String integrationId, WebhookSender sender, String key) {
    }

    static Bot bot(int port, int windowSeconds) throws Exception {
        String key = post(port, "/api/orgs", "restart-admin", Map.of("name", "restart")).path("apiKey").asText();
        LarkEmulator.App app = LARK.newApp();
        String integration = post(port, "/api/integrations", key, Map.of("name", "r", "appId", app.appId(), "appSecret", app.appSecret(),
                "verificationToken", "vt", "connectionMode", "webhook")).path("id").asText();
        String expert = post(port, "/api/experts", key, Map.of("name", "echo", "type", "echo")).path("id").asText();
        String trigger = post(port, "/api/triggers", key, Map.of("integrationId", integration, "expertId", expert,
                "aggregationWindowSeconds", windowSeconds)).path("id").asText();
        post(port, "/api/triggers/" + trigger + "/publish", key, Map.of());
        return new Bot(app, integration, new WebhookSender(app.appId(), "vt", null), key);
    }

    static void say(int port, Bot bot, String text) {
        WebhookSender.Delivery d = bot.sender().message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_r", "ou_r", text, Instant.now());
        assertThat(WebhookSender.post("http://127.0.0.1:" + port + "/api/lark/webhook/" + bot.integrationId(), d).statusCode()).isEqualTo(200);
    }

    @Test
    void anEventAcceptedButNotProcessedBeforeAStopIsProcessedOnceAfterRestart() throws Exception {
        Bot bot;
        // the event it holds in its stopped inbox is given 1 s on shutdown (not the default 10 s) before the instance stops
        try (ConfigurableApplicationContext first = start("--camel.main.shutdown-timeout=1")) {
            bot = bot(port(first), 0);
            // the instance accepts (200) but dies before the event is processed
            first.getBean(CamelContext.class).getRouteController().stopRoute("inbox");
            say(port(first), bot, "accepted before the crash");
        }
        assertThat(LARK.messages(bot.app().appId())).isEmpty();
        try (ConfigurableApplicationContext second = start()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(bot.app().appId()).size() == 1);
            assertThat(FlowFixture.text(LARK.messages(bot.app().appId()).get(0))).isEqualTo("accepted before the crash");
            // past the event's 1 s lease, the sweep gone by: still one answer
            CLOCK.advance(Duration.ofMillis(1100));
            twoRounds("inbox-recovery", second);
            assertThat(LARK.messages(bot.app().appId())).hasSize(1);
        }
    }

    @Test
    void recentErrorsSurviveARestart() throws Exception {
        Bot bot;
        try (ConfigurableApplicationContext first = start()) {
            bot = bot(port(first), 0);
            LARK.failNext("POST", "/open-apis/im/v1/messages/.*/reply", 4, 400, "{\"code\":230002,\"msg\":\"The bot is not in the chat\"}");
            say(port(first), bot, "no way to answer");
            int p = port(first);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(p, "/api/integrations/" + bot.integrationId() + "/status", bot.key())
                    .path("recentErrors").size() > 0);
        }
        try (ConfigurableApplicationContext second = start()) {
            JsonNode status = get(port(second), "/api/integrations/" + bot.integrationId() + "/status", bot.key());
            assertThat(status.path("recentErrors").findValuesAsText("message")).anyMatch(m -> m.contains("The bot is not in the chat"));
            assertThat(status.path("recentErrors").get(0).path("stage").asText()).isEqualTo("reply");
        } finally {
            LARK.clearFaults();
        }
    }

    static JsonNode get(int port, String path, String key) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    @Test
    void aWindowOpenAtStopCompletesAfterRestart() throws Exception {
        Bot bot;
        try (ConfigurableApplicationContext first = start()) {
            bot = bot(port(first), 3);
            say(port(first), bot, "before");
            say(port(first), bot, "the stop");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.getBean(org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository.class)
                    .getKeys().size() == 1);
        }
        assertThat(LARK.messages(bot.app().appId())).isEmpty();
        try (ConfigurableApplicationContext second = start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(bot.app().appId()).size() == 1);
            assertThat(FlowFixture.text(LARK.messages(bot.app().appId()).get(0))).isEqualTo("before\nthe stop");
        }
    }
}
