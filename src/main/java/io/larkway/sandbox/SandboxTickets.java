package io.larkway.sandbox;

import io.larkway.platform.LarkwayProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Short-lived tickets for the sandbox's event stream: a browser's EventSource cannot send the API key
 * in a header, and a key never goes into a URL, so an authenticated POST gets a ticket (HMAC-SHA256 over
 * integration, organisation and expiry, with a key made at start and never shown) valid
 * {@code larkway.sandbox.ticket-seconds}. A ticket opens the stream of its own integration only.
 */
@Component
public class SandboxTickets {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] key = new byte[32];
    private final Clock clock;
    private final long ttlMillis;

    public record Ticket(String ticket, Instant expiresAt) {
    }

    public SandboxTickets(Clock clock, LarkwayProperties props) {
        new SecureRandom().nextBytes(key);
        this.clock = clock;
        this.ttlMillis = props.sandbox().ticketSeconds() * 1000L;
    }

    public Ticket issue(String orgId, String integrationId) {
        long expires = clock.millis() + ttlMillis;
        String payload = B64.encodeToString((integrationId + "|" + orgId + "|" + expires).getBytes(StandardCharsets.UTF_8));
        return new Ticket(payload + "." + B64.encodeToString(mac(payload)), Instant.ofEpochMilli(expires));
    }

    /** The organisation the ticket was issued to, when it is genuine, unexpired and for {@code integrationId}; else null. */
    public String orgOf(String ticket, String integrationId) {
        if (ticket == null || ticket.length() > 1000) {
            return null;
        }
        int dot = ticket.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String payload = ticket.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(mac(payload), Base64.getUrlDecoder().decode(ticket.substring(dot + 1)))) {
                return null;
            }
            String[] parts = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 3 || !parts[0].equals(integrationId) || Long.parseLong(parts[2]) <= clock.millis()) {
                return null;
            }
            return parts[1];
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
