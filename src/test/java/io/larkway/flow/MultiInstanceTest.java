package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two instances on one database of their own (an H2 file here; PostgreSQL in the CI's second pass), both
 * active, with the emulator: nothing answered twice, nothing lost when one stops.
 */
class MultiInstanceTest {
    static final LarkEmulator LARK = LarkEmulator.shared();
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    final String dataDir = "./target/test-data/multi-" + UUID.randomUUID();
    final List<String> database = OwnDatabase.args();
    ConfigurableApplicationContext a;
    ConfigurableApplicationContext b;

    ConfigurableApplicationContext start(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0", "--larkway.data-dir=" + dataDir, "--larkway.admin-key=restart-admin",
                "--larkway.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                "--larkway.lark.feishu-base-url=" + LARK.baseUrl(), "--larkway.lark.lark-base-url=" + LARK.baseUrl(),
                "--larkway.ingress.claim-lease-seconds=2", "--larkway.ingress.recovery-interval-ms=300",
                "--larkway.conversation.recovery-interval-ms=300", "--larkway.conversation.window-orphan-grace-seconds=1",
                "--larkway.conversation.turn-lease-seconds=5", "--larkway.long-connection.sync-interval-ms=500",
                "--larkway.counters-flush-ms=200", "--larkway.experts.allow-private-networks=true",
                "--camel.component.seda.default-poll-timeout=100")); // see RestartTest
        args.addAll(database);
        args.addAll(List.of(extra));
        return RestartTest.instance().run(args.toArray(String[]::new));
    }

    @BeforeEach
    void twoInstances() {
        a = start();
        b = start();
    }

    @AfterEach
    void stop() {
        for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {a, b}) {
            if (c != null && c.isActive()) {
                c.close();
            }
        }
    }

    static int port(ConfigurableApplicationContext app) {
        return RestartTest.port(app);
    }

    @Test
    void theSameEventOnBothInstancesAndBothPathsIsAnsweredOnce() throws Exception {
        RestartTest.Bot bot = RestartTest.bot(port(a), 0);
        WebhookSender.Delivery d = bot.sender().message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_m", "ou_m", "once",
                Instant.now());
        for (int n = 0; n < 5; n++) {
            int p = port(n % 2 == 0 ? a : b);
            assertThat(WebhookSender.post("http://127.0.0.1:" + p + "/api/lark/webhook/" + bot.integrationId(), d).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(bot.app().appId()).size() == 1);
        // the Status counters are the cluster's: either instance shows the five deliveries both received, and the one reply
        for (ConfigurableApplicationContext c : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RestartTest.get(port(c), "/api/integrations/" + bot.integrationId()
                    + "/status", bot.key()).path("counters").toString()).contains("\"received\":5,\"duplicates\":4", "\"turns\":1,\"replies\":1"));
        }

        // long connection: each instance holds its own socket for the app; Lark may deliver the event on either, again and again
        LarkEmulator.App app = LARK.newApp();
        String key = RestartTest.post(port(a), "/api/orgs", "restart-admin", Map.of("name", "lc")).path("apiKey").asText();
        String integration = RestartTest.post(port(a), "/api/integrations", key, Map.of("name", "lc", "appId", app.appId(), "appSecret",
                app.appSecret(), "connectionMode", "long_connection")).path("id").asText();
        String expert = RestartTest.post(port(a), "/api/experts", key, Map.of("name", "echo", "type", "echo")).path("id").asText();
        String trigger = RestartTest.post(port(a), "/api/triggers", key, Map.of("integrationId", integration, "expertId", expert)).path("id").asText();
        RestartTest.post(port(a), "/api/triggers/" + trigger + "/publish", key, Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> WS.open(app.appId()).size() == 2);
        String envelope = LarkWebSocketServer.messageEvent(app.appId(), UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "socket once");
        for (int n = 0; n < 5; n++) {
            WS.push(app.appId(), envelope);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(app.appId()).size() == 1);
        leasesRunOut(a, b);
        assertThat(LARK.messages(app.appId())).hasSize(1);
        assertThat(LARK.messages(bot.app().appId())).hasSize(1);
        assertThat(RestartTest.get(port(b), "/api/integrations/" + integration + "/status", key).path("status").asText()).isEqualTo("connected");
        // the Status tab on either instance lists both owner instances
        await().atMost(Duration.ofSeconds(10)).until(() -> RestartTest.get(port(a), "/api/integrations/" + integration + "/status", key)
                .path("instances").findValuesAsText("id").stream().distinct().count() == 2);
    }

    @Test
    void reconnectAndDisconnectReachEveryInstance() throws Exception {
        LarkEmulator.App app = LARK.newApp();
        WS.failHandshake(app.appId(), new LarkWebSocketServer.HandshakeFailure(400, "514", "connection limit exceeded", "1000040350"));
        String key = RestartTest.post(port(a), "/api/orgs", "restart-admin", Map.of("name", "ops")).path("apiKey").asText();
        String id = RestartTest.post(port(a), "/api/integrations", key, Map.of("name", "lc", "appId", app.appId(), "appSecret", app.appSecret(),
                "connectionMode", "long_connection")).path("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> states(id, key).equals(List.of("unhealthy", "unhealthy")));
        WS.clearHandshakeFailure(app.appId());
        // the operator acts once, through instance A; B follows
        RestartTest.post(port(a), "/api/integrations/" + id + "/reconnect", key, Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> WS.open(app.appId()).size() == 2 && states(id, key).equals(List.of("connected", "connected")));
        RestartTest.post(port(b), "/api/integrations/" + id + "/disconnect", key, Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> WS.open(app.appId()).isEmpty());
    }

    /** The connection state on instance A and on instance B. */
    private List<String> states(String integrationId, String key) throws Exception {
        List<String> out = new ArrayList<>();
        for (ConfigurableApplicationContext c : List.of(a, b)) {
            out.add(c.getBean(io.larkway.camel.lark.ws.ConnectionSupervisor.class).status(integrationId).map(st -> st.state().name()).orElse("none"));
        }
        return out;
    }

    @Test
    void aWindowOpenOnAStoppedInstanceCompletesOnTheOther() throws Exception {
        RestartTest.Bot bot = RestartTest.bot(port(a), 2);
        RestartTest.say(port(a), bot, "opened on A");
        RestartTest.say(port(a), bot, "still A");
        JdbcClient db = b.getBean(JdbcClient.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> db.sql("SELECT COUNT(*) FROM windows").query(Integer.class).single() == 1);
        a.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(bot.app().appId()).size() == 1);
        assertThat(FlowFixture.text(LARK.messages(bot.app().appId()).get(0))).isEqualTo("opened on A\nstill A");
    }

    @Test
    void twoHundredMessagesAcrossTwentyScopesOnBothInstancesAreAnsweredOnceInOrder() throws Exception {
        RestartTest.Bot bot = RestartTest.bot(port(a), 0);
        JdbcClient db = a.getBean(JdbcClient.class);
        ExecutorService users = Executors.newFixedThreadPool(20);
        List<Future<?>> done = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            String user = "ou_many_" + u;
            done.add(users.submit(() -> {
                for (int i = 0; i < 10; i++) {
                    ConfigurableApplicationContext target = i % 2 == 0 ? a : b;
                    String messageId = "om_" + UUID.randomUUID();
                    WebhookSender.Delivery d = bot.sender().message(UUID.randomUUID().toString(), messageId, "p2p", "oc_" + user, user,
                            user + " #" + i, Instant.now());
                    assertThat(WebhookSender.post("http://127.0.0.1:" + port(target) + "/api/lark/webhook/" + bot.integrationId(), d).statusCode())
                            .isEqualTo(200);
                    // a person types one message after another: the next one comes once this one is in the flow
                    await().atMost(Duration.ofSeconds(20)).until(() -> "done".equals(db.sql("SELECT " + io.larkway.flow.inbox.InboxRows.STATE + " FROM inbound_events e WHERE e.message_id = ?")
                            .param(messageId).query(String.class).optional().orElse(null)));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        users.shutdown();
        await().atMost(Duration.ofSeconds(60)).until(() -> answered(bot).size() == 200);
        leasesRunOut(a, b);
        assertThat(answered(bot)).hasSize(200);
        Map<String, List<String>> perUser = answered(bot).stream().collect(Collectors.groupingBy(t -> t.substring(0, t.indexOf(' ')),
                Collectors.toList()));
        assertThat(perUser).hasSize(20);
        perUser.forEach((user, texts) -> assertThat(texts).containsExactlyElementsOf(
                IntStream.range(0, 10).mapToObj(i -> user + " #" + i).toList()));
    }

    @Test
    void aTurnWhoseInstanceDiesIsRunAgainByTheOther() throws Exception {
        // an expert that hangs on its first call (the turn A is running when it dies) and answers later calls
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        io.vertx.core.http.HttpServer expert = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            if (calls.incrementAndGet() > 1) {
                req.response().putHeader("Content-Type", "application/json").end("{\"text\":\"answered after the takeover\"}");
            }
        }));
        expert.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        try {
            a.close();
            // the turn hangs until A dies: A gives its in-flight turn 1 s on shutdown (not the default 10 s) before it stops
            a = start("--larkway.conversation.expert-timeout-seconds=60", "--camel.main.shutdown-timeout=1");
            RestartTest.Bot bot = RestartTest.bot(port(a), 0);
            String key = bot.key();
            String httpExpert = RestartTest.post(port(a), "/api/experts", key, Map.of("name", "hangs", "type", "http", "url",
                    "http://127.0.0.1:" + expert.actualPort() + "/expert")).path("id").asText();
            String triggerId = RestartTest.get(port(a), "/api/triggers", key).path("items").get(0).path("id").asText();
            HttpPut.put(port(a), "/api/triggers/" + triggerId, key, Map.of("expertId", httpExpert));
            RestartTest.say(port(a), bot, "who takes over?");
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
            a.close(); // dies mid-turn: the session keeps its lease and the message stays waiting
            RestartTest.CLOCK.advance(Duration.ofSeconds(5)); // the turn's 5 s lease runs out
            await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(bot.app().appId()).size() == 1);
            assertThat(FlowFixture.text(LARK.messages(bot.app().appId()).get(0))).isEqualTo("answered after the takeover");
            leasesRunOut(b);
            assertThat(LARK.messages(bot.app().appId())).hasSize(1);
        } finally {
            expert.close();
        }
    }

    /**
     * Past every lease these instances have (events 2 s, turns 5 s, windows 1 s) on their clock, then two rounds
     * of each sweep on each instance: whatever a sweep would take up again, it has.
     */
    static void leasesRunOut(ConfigurableApplicationContext... instances) {
        RestartTest.CLOCK.advance(Duration.ofMillis(5100));
        for (String sweep : List.of("inbox-recovery", "turn-recovery", "window-orphans")) {
            RestartTest.twoRounds(sweep, instances);
        }
    }

    /** PUT with the test's JSON helper. */
    static final class HttpPut {
        static void put(int port, String path, String key, Object body) throws Exception {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(RestartTest.JSON.writeValueAsString(body))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Every answered line, in the order the replies were posted (merged turns answer several lines at once). */
    private static List<String> answered(RestartTest.Bot bot) {
        return LARK.messages(bot.app().appId()).stream().flatMap(m -> Arrays.stream(FlowFixture.text(m).split("\n"))).toList();
    }
}
