package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larkway.emulator.LarkEmulator;
import io.larkway.expert.ExpertCalls;
import io.larkway.emulator.WebhookSender;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A webhook request's headers are the caller's: none of them may reach the flow. Before, every
 * request header but Camel* travelled with the accepted event into dispatch, so an organisation
 * posting a (validly signed) delivery to its own integration could name another organisation's
 * expert in a {@code larkwayExpertId} header and have it answer (with that organisation's API key)
 * into its own chat.
 */
class WebhookHeaderInjectionTest extends FlowFixture {
    @Autowired
    CamelContext camel;
    @Autowired
    ExpertCalls expertCalls;

    @Test
    void requestHeadersCannotNameAnotherOrganisationsExpert() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer victimExpert = LARK.vertx().createHttpServer().requestHandler(req -> {
            seen.add(String.valueOf(req.getHeader("Authorization")));
            req.response().putHeader("Content-Type", "application/json").end("{\"text\":\"the victim's expert answered\"}");
        });
        victimExpert.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try {
            Setup victim = setup(Map.of("name", "private", "type", "http", "url", "http://127.0.0.1:" + victimExpert.actualPort() + "/x",
                    "apiKey", "sk-victim"), Map.of());

            // the attacker: its own organisation and integration (it knows its own Verification Token), no trigger
            String key = newOrg();
            LarkEmulator.App app = LARK.newApp();
            String integrationId = newIntegration(key, app, "webhook", null).path("id").asText();
            WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
            var envelope = sender.messageEnvelope(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_attacker", "ou_attacker",
                    "hello", Instant.now(), null);
            WebhookSender.Delivery plain = sender.wrap(envelope.toString(), true);
            Map<String, String> headers = new LinkedHashMap<>(plain.headers());
            headers.put("larkwayTriggerId", "trg_forged");
            headers.put("larkwayExpertId", victim.expertId());
            headers.put("larkwayScopeKey", "ou_attacker");
            HttpResponse<String> r = WebhookSender.post(url("/api/lark/webhook/" + integrationId), new WebhookSender.Delivery(headers, plain.body()));
            assertThat(r.statusCode()).isEqualTo(200);

            // a message the victim's own trigger answers shows the flow is running, then the forged one had its time
            p2p(victim, "ou_victim_user", "ping");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !LARK.messages(victim.app().appId()).isEmpty());
            // the forged event went through the inbox before the victim's (one inbox thread, in order); its turn would follow within seconds
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> LARK.messages(app.appId()).isEmpty() && seen.size() == 1);
            assertThat(seen).as("calls the victim's expert received").containsExactly("Bearer sk-victim");

            // and should a turn ever name another organisation's expert, the expert call itself refuses it
            Exchange turn = new DefaultExchange(camel);
            turn.getMessage().setBody("hello");
            turn.getMessage().setHeader("larkwayIntegrationId", integrationId);
            turn.getMessage().setHeader("larkwayExpertId", victim.expertId());
            turn.getMessage().setHeader("larkwayConversationId", "conv_forged");
            assertThatThrownBy(() -> expertCalls.answer(turn))
                    .hasMessageContaining("no longer exists in the integration's organisation");
            assertThat(seen).as("calls the victim's expert received").hasSize(1);
        } finally {
            victimExpert.close();
        }
    }
}
