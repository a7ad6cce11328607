package io.larkway.camel.lark;

import io.larkway.camel.lark.client.LarkClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.camel.lark.client.LarkApiException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The {@code lark} producer against the emulator: each operation, body kinds, idempotency, retries and failures. */
class LarkProducerTest extends LarkwayTest {
    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate template;
    @Autowired
    LarkClient calls;

    LarkEmulator.App app;
    String integrationId;

    @BeforeEach
    void integration() {
        app = LARK.newApp();
        integrationId = newIntegration(newOrg(), app, "webhook", null).path("id").asText();
    }

    @AfterEach
    void clearFaults() {
        LARK.clearFaults();
    }

    @Test
    void sendsTextToAChatAndKeepsTheBody() {
        Exchange out = template.request("lark:send?integrationId=" + integrationId + "&receiveIdType=chat_id&receiveId=oc_x",
                e -> e.getMessage().setBody("hello"));

        assertThat(out.getException()).isNull();
        List<LarkEmulator.Message> messages = LARK.messages(app.appId());
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo("send");
            assertThat(m.target()).isEqualTo("chat_id:oc_x");
            assertThat(m.msgType()).isEqualTo("text");
            assertThat(json(m.content()).path("text").asText()).isEqualTo("hello");
        });
        assertThat(out.getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID)).isEqualTo(messages.get(0).messageId());
        assertThat(out.getMessage().getBody()).isEqualTo("hello");
    }

    @Test
    void headersWinOverOptionsAndAPostBodyIsSentAsItsJson() {
        Map<String, Object> post = Map.of("zh_cn", Map.of("title", "t", "content", List.of(List.of(Map.of("tag", "text", "text", "hi")))));
        template.send("lark:send?integrationId=no-such-integration&receiveId=oc_option", e -> {
            e.getMessage().setHeaders(Map.of(LarkConstants.INTEGRATION_ID, integrationId, LarkConstants.RECEIVE_ID_TYPE, "open_id",
                    LarkConstants.RECEIVE_ID, "ou_header", LarkConstants.MSG_TYPE, "post"));
            e.getMessage().setBody(JSON.valueToTree(post).toString());
        });

        assertThat(LARK.messages(app.appId())).singleElement().satisfies(m -> {
            assertThat(m.target()).isEqualTo("open_id:ou_header");
            assertThat(m.msgType()).isEqualTo("post");
            assertThat(json(m.content())).isEqualTo(JSON.valueToTree(post));
        });
    }

    @Test
    void aYamlRouteRepliesWithACardInThreadAndPatchesIt() throws Exception {
        String yaml = """
                - route:
                    id: lark-producer-test-%1$s
                    from:
                      uri: direct:card-%1$s
                      steps:
                        - to:
                            uri: lark:reply
                            parameters:
                              integrationId: "%1$s"
                              msgType: interactive
                              replyInThread: true
                """.formatted(integrationId);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("producer-test.yaml", yaml));
        Map<String, Object> card = Map.of("elements", List.of(Map.of("tag", "markdown", "content", "thinking…")));

        Exchange replied = template.request("direct:card-" + integrationId, e -> {
            e.getMessage().setHeader("larkwayMessageId", "om_in_" + integrationId);
            e.getMessage().setBody(card);
        });
        String cardId = replied.getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID, String.class);
        template.sendBodyAndHeaders("lark:patch?integrationId=" + integrationId,
                "{\"elements\":[{\"tag\":\"markdown\",\"content\":\"done\"}]}", Map.of(LarkConstants.MESSAGE_ID, cardId));

        List<LarkEmulator.Message> messages = LARK.messages(app.appId());
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).satisfies(m -> {
            assertThat(m.kind()).isEqualTo("reply");
            assertThat(m.target()).isEqualTo("om_in_" + integrationId);
            assertThat(m.msgType()).isEqualTo("interactive");
            assertThat(m.replyInThread()).isTrue();
            assertThat(json(m.content())).isEqualTo(JSON.valueToTree(card));
        });
        assertThat(messages.get(1)).satisfies(m -> {
            assertThat(m.kind()).isEqualTo("patch");
            assertThat(m.messageId()).isEqualTo(cardId);
            assertThat(json(m.content()).at("/elements/0/content").asText()).isEqualTo("done");
        });
    }

    @Test
    void addsAndRemovesAReactionOnTheFlowsMessage() {
        Map<String, Object> flow = Map.of("larkwayIntegrationId", integrationId, "larkwayMessageId", "om_react_" + integrationId);
        Exchange added = template.request("lark:addReaction", e -> e.getMessage().setHeaders(new HashMap<>(flow)));
        String reactionId = added.getMessage().getHeader(LarkConstants.REACTION_ID, String.class);
        assertThat(LARK.reactions()).containsEntry(reactionId, "om_react_" + integrationId);
        assertThat(LARK.requests("POST", "/open-apis/im/v1/messages/om_react_" + integrationId + "/reactions"))
                .singleElement().satisfies(r -> assertThat(r.json().at("/reaction_type/emoji_type").asText()).isEqualTo("Typing"));

        Exchange removed = template.request("lark:removeReaction", e -> e.getMessage().setHeaders(added.getMessage().getHeaders()));
        assertThat(removed.getException()).isNull();
        assertThat(LARK.reactions()).doesNotContainKey(reactionId);
    }

    @Test
    void theSameExchangeSentTwicePostsOnce() {
        String uri = "lark:send?integrationId=" + integrationId + "&receiveId=oc_twice";
        Map<String, Object> inbound = Map.of("larkwayMessageId", "om_twice_" + integrationId);
        Processor once = e -> {
            e.getMessage().setHeaders(new HashMap<>(inbound));
            e.getMessage().setBody("once");
        };
        Object first = template.request(uri, once).getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID);
        Object again = template.request(uri, once).getMessage().getHeader(LarkConstants.RESPONSE_MESSAGE_ID);
        template.sendBodyAndHeaders(uri, "second part", Map.of("larkwayMessageId", "om_twice_" + integrationId, LarkConstants.PART, 1));
        template.sendBodyAndHeaders(uri, "explicit", Map.of(LarkConstants.UUID, "my-uuid-" + integrationId));
        template.sendBodyAndHeaders(uri, "explicit again", Map.of(LarkConstants.UUID, "my-uuid-" + integrationId));

        assertThat(again).isEqualTo(first);
        assertThat(LARK.messages(app.appId())).extracting(m -> json(m.content()).path("text").asText())
                .containsExactly("once", "second part", "explicit");
        assertThat(LARK.messages(app.appId()).get(2).uuid()).isEqualTo("my-uuid-" + integrationId);
    }

    @Test
    void twoServerErrorsAreRetriedIntoOneMessage() {
        LARK.failNext("POST", "/open-apis/im/v1/messages", 2, 500, "{\"code\":-1,\"msg\":\"internal error\"}");
        Exchange out = template.request("lark:send?integrationId=" + integrationId + "&receiveId=oc_retry", e -> {
            e.getMessage().setHeader("larkwayMessageId", "om_retry_" + integrationId);
            e.getMessage().setBody("retried");
        });

        assertThat(out.getException()).isNull();
        assertThat(LARK.messages(app.appId())).hasSize(1);
        List<LarkEmulator.Recorded> attempts = LARK.requests("POST", "/open-apis/im/v1/messages").stream()
                .filter(r -> r.body().contains("oc_retry")).toList();
        assertThat(attempts).hasSize(3);
        assertThat(attempts.stream().map(r -> r.json().path("uuid").asText()).distinct()).hasSize(1);
    }

    @Test
    void aBusinessErrorFailsTheExchangeWithoutRetry() {
        LARK.failNext("POST", "/open-apis/im/v1/messages/om_gone_.*/reply", 1, 400, "{\"code\":230011,\"msg\":\"The message was withdrawn.\"}");
        Exchange out = template.request("lark:reply?integrationId=" + integrationId, e -> {
            e.getMessage().setHeader(LarkConstants.MESSAGE_ID, "om_gone_" + integrationId);
            e.getMessage().setBody("too late");
        });

        assertThat(out.getException()).isInstanceOfSatisfying(LarkApiException.class, e -> {
            assertThat(e.code()).isEqualTo(230011);
            assertThat(e.httpStatus()).isEqualTo(400);
        });
        assertThat(LARK.requests("POST", "/open-apis/im/v1/messages/om_gone_" + integrationId + "/reply")).hasSize(1);
        assertThat(LARK.messages(app.appId())).isEmpty();
    }

    @Test
    void anOpenBreakerFailsTheExchange() {
        calls.breaker(integrationId).transitionToOpenState();
        Exchange out = template.request("lark:send?integrationId=" + integrationId + "&receiveId=oc_open", e -> e.getMessage().setBody("x"));

        assertThat(out.getException()).isInstanceOf(CallNotPermittedException.class);
        assertThat(LARK.requests("POST", "/open-apis/im/v1/messages").stream().filter(r -> r.body().contains("oc_open"))).isEmpty();

        // it stays open for its open time on the service's clock, then lets a call through to try
        clock.advance(Duration.ofSeconds(props.reply().breakerOpenSeconds()).plusMillis(1));
        out = template.request("lark:send?integrationId=" + integrationId + "&receiveId=oc_open", e -> e.getMessage().setBody("x"));
        assertThat(out.getException()).isNull();
        assertThat(LARK.requests("POST", "/open-apis/im/v1/messages").stream().filter(r -> r.body().contains("oc_open"))).hasSize(1);
    }

    @Test
    void optionsBindAndBadEndpointsOrMissingInputGetClearErrors() {
        LarkEndpoint bound = camel.getEndpoint("lark:addReaction?emojiType=OK&replyInThread=true&lazyStartProducer=true", LarkEndpoint.class);
        assertThat(bound.getConfiguration().getEmojiType()).isEqualTo("OK");
        assertThat(bound.getConfiguration().isReplyInThread()).isTrue();
        assertThat(bound.isLazyStartProducer()).isTrue();

        assertThatThrownBy(() -> camel.getEndpoint("lark:sned")).hasRootCauseMessage("Unknown lark operation 'sned': use lark:events (consumer)"
                + " or one of lark:send, lark:reply, lark:patch, lark:addReaction, lark:removeReaction, lark:uploadImage, lark:createCard, lark:updateCardElement, lark:updateCardSettings (producer)");
        assertThatThrownBy(() -> camel.getEndpoint("lark:send?receiveIdType=phone")).rootCause().hasMessageContaining("Unknown receiveIdType 'phone'");
        assertThatThrownBy(() -> camel.getEndpoint("lark:send?colour=red")).hasMessageContaining("colour");
        assertThatThrownBy(() -> template.sendBody("lark:events", "x")).rootCause().hasMessageContaining("lark:events is consumer-only");

        assertThat(template.request("lark:send?integrationId=" + integrationId, e -> e.getMessage().setBody("x")).getException())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lark:send needs option receiveId or header CamelLarkReceiveId");
        assertThat(template.request("lark:reply?receiveId=oc_x", e -> e.getMessage().setBody("x")).getException())
                .hasMessageStartingWith("lark:reply needs option integrationId");
        assertThat(template.request("lark:patch?integrationId=" + integrationId, e -> e.getMessage().setBody("not json")).getException())
                .hasMessageContaining("needs header CamelLarkMessageId");
        assertThat(template.request("lark:reply?msgType=interactive&integrationId=" + integrationId, e -> {
            e.getMessage().setHeader(LarkConstants.MESSAGE_ID, "om_x");
            e.getMessage().setBody("not json");
        }).getException()).hasMessageContaining("the body is not JSON");
        assertThat(LARK.messages(app.appId())).isEmpty();
    }

    private static JsonNode json(String content) {
        try {
            return JSON.readTree(content);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
