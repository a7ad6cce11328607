package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.emulator.LarkEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The reply stage of routes/60-reply.yaml: the lark component's producer, and the route's dead-letter channel. */
class ReplyRouteTest extends FlowFixture {
    @Autowired
    CamelContext camel;

    @AfterEach
    void clearFaults() {
        LARK.clearFaults();
    }

    @Test
    void theReplyStageCallsLarkThroughTheComponent() {
        assertThat(uris("reply-part")).anyMatch(u -> u.startsWith("lark:reply")).anyMatch(u -> u.startsWith("lark:send"));
        assertThat(uris("typing-add")).contains("lark:addReaction");
        assertThat(uris("typing-off")).contains("lark:removeReaction");
        assertThat(uris("reply")).contains("direct:reply-parts", "direct:dead-letter");
    }

    @Test
    void aReplyLarkRefusesIsADeadLetterItsRetryPostsWithTheSameUuidAndTheTurnEnds() {
        Setup s = echo();
        // a business error: not retried by the producer
        LARK.failNext("POST", "/open-apis/im/v1/messages/.*/reply", 1, 400, "{\"code\":230002,\"msg\":\"The bot is not in the chat\"}");
        NotifyBuilder deadLetter = new NotifyBuilder(camel).wereSentTo("direct:dead-letter")
                .filter(e -> s.integrationId().equals(e.getMessage().getHeader("larkwayIntegrationId"))).whenDone(1).create();
        String messageId = p2p(s, "ou_refused", "refused once");
        assertThat(deadLetter.matches(10, TimeUnit.SECONDS)).isTrue();

        String path = "/api/integrations/" + s.integrationId() + "/dead-letters";
        JsonNode letter = call("GET", path, s.key(), null).json().path("items").get(0);
        assertThat(letter.path("messageId").asText()).isEqualTo(messageId);
        assertThat(letter.path("reason").asText()).contains("The bot is not in the chat");
        assertThat(call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json().path("recentErrors")
                .findValuesAsText("message")).anyMatch(m -> m.contains("dead letter " + letter.path("id").asText()));
        List<LarkEmulator.Recorded> refused = LARK.requests("POST", "/open-apis/im/v1/messages/" + messageId + "/reply");
        assertThat(refused).hasSize(1);
        assertThat(LARK.messages(s.app().appId())).isEmpty();

        JsonNode retried = call("POST", path + "/" + letter.path("id").asText() + "/retry", s.key(), null).json();
        assertThat(retried.path("state").asText()).isEqualTo("delivered");
        await().atMost(Duration.ofSeconds(5)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message posted = LARK.messages(s.app().appId()).get(0);
        assertThat(text(posted)).isEqualTo("refused once");
        assertThat(posted.uuid()).isEqualTo(refused.get(0).json().path("uuid").asText());

        // the failed reply ended its turn: the scope's next message gets a turn of its own at once
        p2p(s, "ou_refused", "after the dead letter");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("after the dead letter");
    }

    private RouteDefinition route(String id) {
        RouteDefinition route = camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(id);
        assertThat(route).as("route " + id).isNotNull();
        return route;
    }

    /** The endpoint uris a route sends to (to, toD, wireTap), in any branch or catch clause. */
    private List<String> uris(String routeId) {
        List<String> uris = new ArrayList<>();
        collect(route(routeId).getOutputs(), uris);
        return uris;
    }

    private static void collect(List<? extends ProcessorDefinition<?>> outputs, List<String> uris) {
        for (ProcessorDefinition<?> p : outputs) {
            if (p instanceof EndpointRequiredDefinition e && e.getEndpointUri() != null) {
                uris.add(e.getEndpointUri());
            }
            if (p instanceof ToDynamicDefinition d) {
                uris.add(d.getUri());
            }
            if (p instanceof org.apache.camel.model.ChoiceDefinition c) {
                c.getWhenClauses().forEach(w -> collect(w.getOutputs(), uris));
                if (c.getOtherwise() != null) {
                    collect(c.getOtherwise().getOutputs(), uris);
                }
            }
            if (p instanceof org.apache.camel.model.TryDefinition t) {
                t.getCatchClauses().forEach(c -> collect(c.getOutputs(), uris));
            }
            collect(p.getOutputs(), uris);
        }
    }
}
