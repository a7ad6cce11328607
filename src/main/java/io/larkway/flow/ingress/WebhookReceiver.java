package io.larkway.flow.ingress;

import io.larkway.flow.FlowHeaders;
import io.larkway.flow.dispatch.BotIdentities;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.platform.LarkwayProperties;
import io.larkway.admin.ApiException;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.camel.lark.LarkEvent;
import io.larkway.camel.lark.webhook.WebhookCrypto;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The checks of a webhook delivery: integration (404), mode (400), size (413), a signature over
 * the raw bytes and its timestamp window (401) before anything in the body is read, JSON and
 * decrypt (400), a signature required for events (401), the Verification Token (401); only then,
 * once the caller has proved a secret, the envelope (400) and its app (401). The outcome is the
 * exchange property {@link FlowHeaders#WEBHOOK}: {@code event} (body = {@link LarkEvent}), {@code challenge} or
 * {@code rejected} (body = the JSON answer, status in {@code CamelHttpResponseCode}). A challenge
 * or a rejection carries no header but its own (the request's would be written back to the
 * caller). Bad input never throws.
 */
@Component
public class WebhookReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);

    private final Integrations integrations;
    private final ObjectMapper json;
    private final int maxBytes;
    private final long signatureMaxAgeSeconds;
    private final MeterRegistry meters;
    private final WebhookDeliveries deliveries;
    private final io.larkway.platform.RecentErrors errors;
    private final Clock clock;
    private final BotIdentities bots;

    public WebhookReceiver(Integrations integrations, ObjectMapper json, LarkwayProperties props, MeterRegistry meters,
            WebhookDeliveries deliveries, io.larkway.platform.RecentErrors errors, Clock clock, BotIdentities bots) {
        this.bots = bots;
        this.errors = errors;
        this.integrations = integrations;
        this.json = json;
        this.maxBytes = props.maxBodyBytes();
        this.signatureMaxAgeSeconds = props.ingress().signatureMaxAgeSeconds();
        this.meters = meters;
        this.deliveries = deliveries;
        this.clock = clock;
    }

    /** Whether a refused delivery had proved a secret: only those may change what Status says. */
    private enum Proof { none, verified }

    public void receive(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String integrationId = in.getHeader("integrationId", String.class);
        Integration integration = integrations.find(integrationId).filter(Integration::enabled).orElse(null);
        if (integration == null) {
            reject(exchange, null, 404, "not_found", "no enabled integration " + ApiException.echo(integrationId), Proof.none);
            return;
        }
        if (integration.isLongConnection()) {
            reject(exchange, integrationId, 400, "wrong_mode", "integration " + integrationId
                    + " uses long connection mode; it does not take webhook callbacks (switch it to webhook mode first)", Proof.none);
            return;
        }
        byte[] raw = in.getBody(byte[].class);
        if (raw == null || raw.length == 0) {
            reject(exchange, integrationId, 400, "invalid_request", "the body is empty", Proof.none);
            return;
        }
        if (raw.length > maxBytes) {
            reject(exchange, integrationId, 413, "payload_too_large", "the body is larger than " + maxBytes + " bytes", Proof.none);
            return;
        }
        // a signature, when there is one, is checked first: over the raw bytes, before anything in them is read
        String signature = in.getHeader("X-Lark-Signature", String.class);
        Proof proof = Proof.none;
        if (integration.encryptKey() != null && signature != null) {
            String timestamp = in.getHeader("X-Lark-Request-Timestamp", String.class);
            if (!WebhookCrypto.signatureMatches(signature, timestamp, in.getHeader("X-Lark-Request-Nonce", String.class),
                    integration.encryptKey(), raw)) {
                reject(exchange, integrationId, 401, "invalid_signature", "X-Lark-Signature does not match", Proof.none);
                return;
            }
            String outside = outsideWindow(timestamp);
            if (outside != null) {
                // a replayed delivery: it proves nothing about the sender, so it is no verified failure either
                reject(exchange, integrationId, 401, "invalid_signature", outside, Proof.none);
                return;
            }
            proof = Proof.verified;
        }
        JsonNode body = parse(raw);
        if (body == null || !body.isObject()) {
            reject(exchange, integrationId, 400, "invalid_request", "the body is not a JSON object", proof);
            return;
        }
        boolean encrypted = body.has("encrypt");
        if (encrypted) {
            if (integration.encryptKey() == null) {
                reject(exchange, integrationId, 400, "invalid_request", "the body is encrypted but the integration has no Encrypt Key", proof);
                return;
            }
            if (!body.path("encrypt").isTextual()) {
                reject(exchange, integrationId, 400, "invalid_request", "encrypt must be a string", proof);
                return;
            }
            try {
                body = parse(WebhookCrypto.decrypt(integration.encryptKey(), body.path("encrypt").asText()).getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                reject(exchange, integrationId, 400, "invalid_request", "the body does not decrypt with the integration's Encrypt Key", proof);
                return;
            }
            if (body == null || !body.isObject()) {
                reject(exchange, integrationId, 400, "invalid_request", "the decrypted body is not a JSON object", proof);
                return;
            }
        }
        boolean challenge = "url_verification".equals(body.path("type").asText());
        // Lark signs event deliveries when an Encrypt Key is set; the URL check is proven by its token
        // (as in the official SDKs), but a signature it does carry must be right (checked above)
        if (integration.encryptKey() != null && signature == null && !challenge) {
            reject(exchange, integrationId, 401, "invalid_signature", "X-Lark-Signature is missing", Proof.none);
            return;
        }
        if (!WebhookCrypto.tokenMatches(integration.verificationToken(), LarkEvent.token(body))) {
            reject(exchange, integrationId, 401, "invalid_token", challenge ? "the url_verification token does not match the Verification Token"
                    : "the event's token does not match the Verification Token", proof);
            return;
        }
        if (challenge) {
            LOG.info("Webhook URL verified integrationId={}", integrationId);
            verified(integration);
            answer(exchange, "challenge", 200, json.writeValueAsBytes(Map.of("challenge", body.path("challenge").asText(""))));
            return;
        }
        LarkEvent event;
        try {
            event = LarkEvent.fromEnvelope(body);
        } catch (IllegalArgumentException e) {
            reject(exchange, integrationId, 400, "invalid_request", e.getMessage(), Proof.verified);
            return;
        }
        if (event.appId() != null && !event.appId().equals(integration.appId())) {
            reject(exchange, integrationId, 401, "invalid_app", "the event is for another app", Proof.verified);
            return;
        }
        verified(integration);
        exchange.setProperty(FlowHeaders.WEBHOOK, "event");
        in.setBody(event);
    }

    /** The delivery proved the integration's secret: Status says so, and learns the bot's identity (once). */
    private void verified(Integration integration) {
        deliveries.verified(integration.id());
        bots.verified(integration);
    }

    /** Why a signature's timestamp (epoch seconds) is refused, or null when it is within the window either side of now. */
    private String outsideWindow(String timestamp) {
        long seconds;
        try {
            seconds = LarkEvent.epochDigits("X-Lark-Request-Timestamp", timestamp.trim());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        long now = clock.instant().getEpochSecond();
        if (seconds < now - signatureMaxAgeSeconds) {
            return "X-Lark-Request-Timestamp is more than " + signatureMaxAgeSeconds + " s old (a replayed delivery?)";
        }
        if (seconds > now + signatureMaxAgeSeconds) {
            return "X-Lark-Request-Timestamp is more than " + signatureMaxAgeSeconds + " s in the future";
        }
        return null;
    }

    private JsonNode parse(byte[] raw) {
        try {
            return json.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Refuses a delivery. One that proved a secret marks the integration failing and shows as a
     * recent error each time; one that did not (anyone can post to the URL) is only counted, and
     * shown as a recent error at most once per interval, so it never changes the Status.
     */
    private void reject(Exchange exchange, String integrationId, int status, String error, String message, Proof proof) throws IOException {
        LOG.info("Webhook rejected integrationId={} status={} verified={} reason={}", integrationId, status, proof == Proof.verified, message);
        meters.counter("larkway.webhook.rejected", "status", String.valueOf(status)).increment();
        if (integrationId != null && status != 404) {
            String text = "webhook delivery rejected (" + status + "): " + message;
            if (proof == Proof.verified) {
                deliveries.failed(integrationId);
                errors.record(integrationId, "ingress", text, null);
            } else {
                meters.counter("larkway.webhook.unverified", "integration", integrationId).increment();
                if (deliveries.recordUnverified(integrationId)) {
                    errors.record(integrationId, UNVERIFIED_STAGE, text, null);
                }
            }
        }
        answer(exchange, "rejected", status, json.writeValueAsBytes(Map.of("error", error, "message", message)));
    }

    /** The stage of recent errors that record unverified deliveries; Status keeps them out of {@code lastError}. */
    public static final String UNVERIFIED_STAGE = "ingress-unverified";

    /** A JSON answer with only the headers it means: the request's would otherwise be copied back to the caller. */
    private static void answer(Exchange exchange, String outcome, int status, byte[] body) {
        Message in = exchange.getMessage();
        in.removeHeaders("*");
        exchange.setProperty(FlowHeaders.WEBHOOK, outcome);
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(body);
    }
}
