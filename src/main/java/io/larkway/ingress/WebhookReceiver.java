package io.larkway.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.LarkwayProperties;
import io.larkway.integration.Integration;
import io.larkway.integration.Integrations;
import io.larkway.lark.LarkEvent;
import io.larkway.lark.WebhookCrypto;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The checks of a webhook delivery, in the order PRODUCT.md gives: integration (404), mode (400),
 * size (413), decrypt (400), signature over the raw bytes (401), url_verification token (401),
 * envelope (400), Verification Token (401). The outcome is header {@link #ANSWER}: {@code event}
 * (body = {@link LarkEvent}), {@code challenge} or {@code rejected} (body = the JSON answer,
 * status in {@code CamelHttpResponseCode}). Bad input never throws.
 */
@Component
public class WebhookReceiver {
    public static final String ANSWER = "larkwayWebhook";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);

    private final Integrations integrations;
    private final ObjectMapper json;
    private final int maxBytes;
    private final MeterRegistry meters;
    private final WebhookDeliveries deliveries;
    private final io.larkway.ops.RecentErrors errors;

    public WebhookReceiver(Integrations integrations, ObjectMapper json, LarkwayProperties props, MeterRegistry meters,
            WebhookDeliveries deliveries, io.larkway.ops.RecentErrors errors) {
        this.errors = errors;
        this.integrations = integrations;
        this.json = json;
        this.maxBytes = props.maxBodyBytes();
        this.meters = meters;
        this.deliveries = deliveries;
    }

    public void receive(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String integrationId = in.getHeader("integrationId", String.class);
        Integration integration = integrations.find(integrationId).filter(Integration::enabled).orElse(null);
        if (integration == null) {
            reject(in, integrationId, 404, "not_found", "no enabled integration " + integrationId);
            return;
        }
        if (integration.isLongConnection()) {
            reject(in, integrationId, 400, "wrong_mode", "integration " + integrationId
                    + " uses long connection mode; it does not take webhook callbacks (switch it to webhook mode first)");
            return;
        }
        byte[] raw = in.getBody(byte[].class);
        if (raw == null || raw.length == 0) {
            reject(in, integrationId, 400, "invalid_request", "the body is empty");
            return;
        }
        if (raw.length > maxBytes) {
            reject(in, integrationId, 413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
            return;
        }
        JsonNode body = parse(raw);
        if (body == null || !body.isObject()) {
            reject(in, integrationId, 400, "invalid_request", "the body is not a JSON object");
            return;
        }
        boolean encrypted = body.has("encrypt");
        if (encrypted) {
            if (integration.encryptKey() == null) {
                reject(in, integrationId, 400, "invalid_request", "the body is encrypted but the integration has no Encrypt Key");
                return;
            }
            if (!body.path("encrypt").isTextual()) {
                reject(in, integrationId, 400, "invalid_request", "encrypt must be a string");
                return;
            }
            try {
                body = parse(WebhookCrypto.decrypt(integration.encryptKey(), body.path("encrypt").asText()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                reject(in, integrationId, 400, "invalid_request", "the body does not decrypt with the integration's Encrypt Key");
                return;
            }
            if (body == null || !body.isObject()) {
                reject(in, integrationId, 400, "invalid_request", "the decrypted body is not a JSON object");
                return;
            }
        }
        String signature = in.getHeader("X-Lark-Signature", String.class);
        boolean challenge = "url_verification".equals(body.path("type").asText());
        // Lark signs event deliveries when an Encrypt Key is set; the URL check is proven by its token
        // (as in the official SDKs), but a signature it does carry must be right.
        if (integration.encryptKey() != null && (!challenge || signature != null)
                && !WebhookCrypto.signatureMatches(signature, in.getHeader("X-Lark-Request-Timestamp", String.class),
                        in.getHeader("X-Lark-Request-Nonce", String.class), integration.encryptKey(), raw)) {
            reject(in, integrationId, 401, "invalid_signature", signature == null ? "X-Lark-Signature is missing" : "X-Lark-Signature does not match");
            return;
        }
        if (challenge) {
            if (!WebhookCrypto.tokenMatches(integration.verificationToken(), body.path("token").asText(null))) {
                reject(in, integrationId, 401, "invalid_token", "the url_verification token does not match the Verification Token");
                return;
            }
            LOG.info("Webhook URL verified integrationId={}", integrationId);
            deliveries.verified(integrationId);
            in.setHeader(ANSWER, "challenge");
            in.setHeader(Exchange.CONTENT_TYPE, "application/json");
            in.setBody(json.writeValueAsBytes(Map.of("challenge", body.path("challenge").asText(""))));
            return;
        }
        LarkEvent event;
        try {
            event = LarkEvent.fromEnvelope(body);
        } catch (IllegalArgumentException e) {
            reject(in, integrationId, 400, "invalid_request", e.getMessage());
            return;
        }
        if (!WebhookCrypto.tokenMatches(integration.verificationToken(), event.token())) {
            reject(in, integrationId, 401, "invalid_token", "the event's token does not match the Verification Token");
            return;
        }
        if (event.appId() != null && !event.appId().equals(integration.appId())) {
            reject(in, integrationId, 401, "invalid_app", "the event is for another app");
            return;
        }
        deliveries.verified(integrationId);
        in.setHeader(ANSWER, "event");
        in.setBody(event);
    }

    private JsonNode parse(byte[] raw) {
        try {
            return json.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    private void reject(Message in, String integrationId, int status, String error, String message) throws IOException {
        LOG.info("Webhook rejected integrationId={} status={} reason={}", integrationId, status, message);
        meters.counter("larkway.webhook.rejected", "status", String.valueOf(status)).increment();
        if (status == 401 || status == 400 || status == 413) {
            // the integration exists here (unknown ids are 404): its Status tab shows why deliveries fail
            deliveries.failed(integrationId);
            errors.record(integrationId, "ingress", "webhook delivery rejected (" + status + "): " + message, null);
        }
        in.setHeader(ANSWER, "rejected");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(json.writeValueAsBytes(Map.of("error", error, "message", message)));
    }
}
