package io.larkway.flow.content;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.KeyMaterial;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The attachments given to http and camel experts: kept (table {@code attachments}) until their URL expires and
 * served by {@code GET /api/attachments/{id}?expires=…&signature=…}, a larkway URL signed with a key derived from
 * the instance's key material and valid for {@code larkway.attachments.url-ttl-seconds}. The signature alone
 * authorises it; an expired or altered URL gets 403.
 */
@Component
public class Attachments extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(Attachments.class);

    private final JdbcClient db;
    private final Clock clock;
    private final ObjectMapper json;
    private final byte[] key;
    private final String baseUrl;
    private final long ttlSeconds;

    public Attachments(JdbcClient db, Clock clock, ObjectMapper json, KeyMaterial keys, LarkwayProperties props) {
        this.db = db;
        this.clock = clock;
        this.json = json;
        this.key = keys.derivedKey("larkway attachment urls");
        this.baseUrl = props.publicBaseUrl().replaceAll("/+$", "");
        this.ttlSeconds = props.attachments().urlTtlSeconds();
    }

    /** Keeps the bytes until the URL expires; answers the signed URL. Expired ones are deleted on the way. */
    public String publish(String integrationId, String messageId, String name, String mimeType, byte[] bytes) {
        Instant now = clock.instant();
        Instant expires = now.plusSeconds(ttlSeconds);
        db.sql("DELETE FROM attachments WHERE expires_at < ?").param(Timestamps.of(now)).update();
        String id = "att_" + UUID.randomUUID().toString().replace("-", "");
        db.sql("INSERT INTO attachments (id, integration_id, message_id, name, mime_type, content, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(id, integrationId, messageId, name, mimeType, bytes, Timestamps.of(expires)).update();
        return baseUrl + "/api/attachments/" + id + "?expires=" + expires.getEpochSecond() + "&signature=" + sign(id, expires.getEpochSecond());
    }

    private String sign(String id, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal((id + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void configure() {
        from("platform-http:/api/attachments/{id}?httpMethodRestrict=GET").routeId("attachments").process(this::serve);
    }

    private void serve(Exchange e) throws Exception {
        String id = e.getMessage().getHeader("id", String.class);
        String expires = e.getMessage().getHeader("expires", String.class);
        String signature = e.getMessage().getHeader("signature", String.class);
        e.getMessage().removeHeaders("*");
        long until;
        try {
            until = Long.parseLong(expires);
        } catch (NumberFormatException | NullPointerException bad) {
            refuse(e, 403, "forbidden", "the attachment URL is not signed");
            return;
        }
        if (id == null || signature == null || !MessageDigest.isEqual(sign(id, until).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            LOG.info("Attachment URL refused: bad signature");
            refuse(e, 403, "forbidden", "the attachment URL's signature does not match");
            return;
        }
        if (clock.instant().getEpochSecond() > until) {
            refuse(e, 403, "forbidden", "the attachment URL has expired");
            return;
        }
        var found = db.sql("SELECT mime_type, name, content FROM attachments WHERE id = ?").param(id)
                .query((rs, n) -> new Stored(rs.getString(1), rs.getString(2), rs.getBytes(3))).optional();
        if (found.isEmpty()) {
            refuse(e, 404, "not_found", "the attachment is no longer kept");
            return;
        }
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, found.get().mimeType());
        // what a chat member sent (an HTML or SVG file too), opened in a browser on larkway's origin (the console's, its key in
        // sessionStorage): a download, never sniffed, never a page that runs script; and the URL is a credential, kept by no shared cache
        String name = found.get().name();
        e.getMessage().setHeader("Content-Disposition", name == null || name.isBlank() ? "attachment"
                : "attachment; filename*=UTF-8''" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        e.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        e.getMessage().setHeader("Content-Security-Policy", "sandbox; default-src 'none'");
        // Camel's HTTP header filter drops Cache-Control from a route's headers: set on the servlet response itself
        PlatformHttpMessage http = e.getMessage(PlatformHttpMessage.class);
        if (http != null) {
            http.getResponse().setHeader("Cache-Control", "private, no-store");
        }
        e.getMessage().setBody(found.get().content());
    }

    private record Stored(String mimeType, String name, byte[] content) {
    }

    private void refuse(Exchange e, int status, String error, String message) throws Exception {
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        e.getMessage().setBody(json.writeValueAsBytes(Map.of("error", error, "message", message)));
    }
}
