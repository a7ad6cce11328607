package io.larkway.camel.lark.webhook;

import io.larkway.camel.lark.LarkEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lark.oapi.core.request.EventReq;
import com.lark.oapi.core.response.EventResp;
import com.lark.oapi.core.utils.Decryptor;
import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.service.im.ImService;
import com.lark.oapi.service.im.v1.model.P2MessageReceiveV1;
import io.larkway.emulator.WebhookSender;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Our webhook crypto and the emulator's deliveries, cross-checked with the official Lark Java SDK. */
class WebhookCryptoTest {
    static final String KEY = "encrypt-key-for-tests";

    @Test
    void sdkDecryptsWhatWeEncryptAndWeDecryptTheSame() throws Exception {
        String plain = "{\"challenge\":\"c-1\",\"token\":\"t\",\"type\":\"url_verification\",\"text\":\"你好\"}";
        String sealed = WebhookCrypto.encrypt(KEY, plain, new byte[16]);
        assertThat(new Decryptor(KEY).decrypt(sealed)).isEqualTo(plain);
        assertThat(WebhookCrypto.decrypt(KEY, sealed)).isEqualTo(plain);
    }

    @Test
    void aWrongKeyOrGarbageDoesNotDecrypt() {
        String sealed = WebhookCrypto.encrypt(KEY, "{\"a\":1}", new byte[16]);
        assertThatThrownBy(() -> WebhookCrypto.decrypt("another-key", sealed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookCrypto.decrypt(KEY, "not base64 !!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookCrypto.decrypt(KEY, "AAAA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSdkAcceptsTheEmulatorsSignedEncryptedEventAndRejectsATamperedOne() throws Throwable {
        WebhookSender sender = new WebhookSender("cli_a", "vt", KEY);
        WebhookSender.Delivery delivery = sender.message("ev-1", "om-1", "p2p", "oc-1", "ou-1", "hello", Instant.now());
        AtomicReference<String> seen = new AtomicReference<>();
        EventDispatcher sdk = EventDispatcher.newBuilder("vt", KEY).onP2MessageReceiveV1(new ImService.P2MessageReceiveV1Handler() {
            @Override
            public void handle(P2MessageReceiveV1 event) {
                seen.set(event.getEvent().getMessage().getMessageId());
            }
        }).build();
        EventResp ok = sdk.handle(request(delivery.headers(), delivery.body()));
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(seen.get()).isEqualTo("om-1");

        // our verifier agrees with the SDK on the same bytes
        Map<String, String> h = delivery.headers();
        assertThat(WebhookCrypto.signatureMatches(h.get("X-Lark-Signature"), h.get("X-Lark-Request-Timestamp"), h.get("X-Lark-Request-Nonce"), KEY,
                delivery.body())).isTrue();
        byte[] tampered = delivery.bodyText().replace("\"}", "\" }").getBytes();
        assertThat(WebhookCrypto.signatureMatches(h.get("X-Lark-Signature"), h.get("X-Lark-Request-Timestamp"), h.get("X-Lark-Request-Nonce"), KEY,
                tampered)).isFalse();
        EventResp rejected = sdk.handle(request(delivery.headers(), tampered));
        assertThat(rejected.getStatusCode()).isNotEqualTo(200);
    }

    @Test
    void envelopesNormaliseFromV1AndV2() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        WebhookSender sender = new WebhookSender("cli_a", "vt", null);
        LarkEvent v2 = LarkEvent.fromEnvelope(sender.messageEnvelope("ev-2", "om-2", "group", "oc-2", "ou-2", "hi", Instant.ofEpochMilli(1_700_000_000_123L), null));
        assertThat(v2.eventId()).isEqualTo("ev-2");
        assertThat(v2.eventType()).isEqualTo("im.message.receive_v1");
        assertThat(v2.messageId()).isEqualTo("om-2");
        assertThat(v2.createTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(v2.token()).isEqualTo("vt");
        LarkEvent v1 = LarkEvent.fromEnvelope(json.readTree(
                "{\"uuid\":\"u-1\",\"token\":\"vt\",\"ts\":\"1700000000.5\",\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"open_message_id\":\"om-3\",\"app_id\":\"cli_a\"}}"));
        assertThat(v1.eventId()).isEqualTo("u-1");
        assertThat(v1.eventType()).isEqualTo("message");
        assertThat(v1.messageId()).isEqualTo("om-3");
        assertThat(v1.createTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_500L));
        assertThatThrownBy(() -> LarkEvent.fromEnvelope(json.readTree("{\"schema\":\"2.0\",\"header\":{}}"))).isInstanceOf(IllegalArgumentException.class);
    }

    private static EventReq request(Map<String, String> headers, byte[] body) {
        EventReq req = new EventReq();
        req.setHeaders(headers.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> List.of(e.getValue()))));
        req.setBody(body);
        req.setHttpPath("/webhook");
        return req;
    }
}
