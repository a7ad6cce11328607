package io.larkway.flow;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** An organisation with a webhook integration, an expert and a published trigger, ready for messages. */
abstract class FlowFixture extends LarkwayTest {
    @org.springframework.beans.factory.annotation.Autowired
    protected SystemTexts texts;

    /** The English text {@code key} larkway writes itself (its bundle, or this context's override). */
    String english(String key) {
        return texts.text(key, "en");
    }

    record Setup(String key, LarkEmulator.App app, String integrationId, String expertId, String triggerId, WebhookSender sender, String url) {
    }

    Setup setup(Map<String, Object> expert, Map<String, Object> trigger) {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        JsonNode integration = newIntegration(key, app, "webhook", null);
        String integrationId = integration.path("id").asText();
        Answer e = call("POST", "/api/experts", key, expert);
        if (e.status() != 201) {
            throw new IllegalStateException(e.toString());
        }
        Map<String, Object> t = new HashMap<>(Map.of("integrationId", integrationId, "expertId", e.text("id")));
        t.putAll(trigger);
        Answer created = call("POST", "/api/triggers", key, t);
        if (created.status() != 201) {
            throw new IllegalStateException(created.toString());
        }
        Answer published = call("POST", "/api/triggers/" + created.text("id") + "/publish", key, null);
        if (published.status() != 200) {
            throw new IllegalStateException(published.toString());
        }
        return new Setup(key, app, integrationId, e.text("id"), created.text("id"), new WebhookSender(app.appId(), "vt-" + app.appId(), null),
                url("/api/lark/webhook/" + integrationId));
    }

    Setup echo() {
        return setup(Map.of("name", "echo", "type", "echo"), Map.of());
    }

    /** Posts a text message; answers its message id. */
    String say(Setup s, String chatType, String chatId, String sender, String text, Map<String, String> mentions) {
        String messageId = "om_" + UUID.randomUUID();
        var envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), messageId, chatType, chatId, sender, text, Instant.now(), mentions);
        HttpResponse<String> r = WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true));
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return messageId;
    }

    String p2p(Setup s, String sender, String text) {
        return say(s, "p2p", "oc_p2p_" + sender, sender, text, null);
    }

    /** The text of a posted message's content. */
    static String text(LarkEmulator.Message m) {
        try {
            return JSON.readTree(m.content()).path("text").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
