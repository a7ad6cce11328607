package io.larkway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Ask runs the expert on the web server's own thread: an organisation's asks to a slow expert must not take every
 * thread of the instance (its webhooks and every tenant's API calls share them). At most larkway.limits.turns-per-org
 * asks of one organisation are in flight; more answer 429 at once.
 */
@TestPropertySource(properties = {"larkway.conversation.expert-timeout-seconds=60", "larkway.limits.turns-per-org=2"})
class AskLimitTest extends LarkwayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HttpRequest ask(String key, String expertId) {
        return HttpRequest.newBuilder(URI.create(url("/api/experts/" + expertId + "/ask"))).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"slow?\"}")).build();
    }

    @Test
    void anOrganisationsAsksBeyondItsLimitAnswer429AtOnceAndOtherOrganisationsStillAsk() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        HttpServer slow = LARK.vertx().createHttpServer().requestHandler(held::add);
        slow.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try {
            String key = newOrg();
            String expertId = call("POST", "/api/experts", key, Map.of("name", "slow", "type", "http",
                    "url", "http://127.0.0.1:" + slow.actualPort() + "/")).text("id");
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inFlight.add(HTTP.sendAsync(ask(key, expertId), HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> held.size() == 2);

            HttpResponse<String> third = HTTP.send(ask(key, expertId), HttpResponse.BodyHandlers.ofString());
            assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
            assertThat(JSON.readTree(third.body()).path("error").asText()).isEqualTo("too_many_requests");
            assertThat(held).hasSize(2);

            // another organisation is not limited by this one's asks
            String other = newOrg();
            String echo = call("POST", "/api/experts", other, Map.of("name", "echo", "type", "echo")).text("id");
            assertThat(call("POST", "/api/experts/" + echo + "/ask", other, Map.of("text", "hi")).status()).isEqualTo(200);

            // once the expert answers, the organisation asks again
            held.forEach(r -> r.response().putHeader("Content-Type", "application/json").end("{\"text\":\"done\"}"));
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            held.clear();
            CompletableFuture<HttpResponse<String>> again = HTTP.sendAsync(ask(key, expertId), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> held.size() == 1);
            held.get(0).response().putHeader("Content-Type", "application/json").end("{\"text\":\"again\"}");
            assertThat(again.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        } finally {
            slow.close();
        }
    }
}
