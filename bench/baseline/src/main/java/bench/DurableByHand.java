package bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The second baseline: the least a durable webhook must do, written by hand in one controller.
 * Checks the signature over the raw bytes, decrypts, checks the Verification Token, and INSERTs the
 * event into an embedded H2 file database before answering {@code {}} (with group commit, as
 * larkway: events arriving together share one transaction). The table is larkway's own
 * {@code inbound_events} as its migration scripts up to V19 made it, writing as many B-trees per event as larkway
 * (bench/webhook.sh points {@code spring.sql.init.schema-locations} at them and at same-indexes-as-larkway.sql). No Camel, no
 * metrics, no logging, no processing after the answer: a floor for what larkway's webhook can cost, not a product.
 */
@RestController
@ConditionalOnProperty("bench.encrypt-key")
public class DurableByHand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JdbcTemplate db;
    private final TransactionTemplate tx;
    private final String encryptKey;
    private final String token;
    private final SecretKeySpec aes;

    public DurableByHand(JdbcTemplate db, TransactionTemplate tx, @Value("${bench.encrypt-key}") String encryptKey, @Value("${bench.verification-token}") String token)
            throws Exception {
        this.db = db;
        this.tx = tx;
        this.encryptKey = encryptKey;
        this.token = token;
        this.aes = new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8)), "AES");
    }

    @PostMapping(path = "/durable/api/lark/webhook/{integrationId}", produces = "application/json")
    public ResponseEntity<String> receive(@PathVariable String integrationId, @RequestBody byte[] raw,
            @RequestHeader("X-Lark-Request-Timestamp") String timestamp, @RequestHeader("X-Lark-Request-Nonce") String nonce,
            @RequestHeader("X-Lark-Signature") String signature) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
        sha.update(raw);
        if (!MessageDigest.isEqual(HexFormat.of().formatHex(sha.digest()).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            return ResponseEntity.status(401).body("{\"error\":\"invalid_signature\"}");
        }
        byte[] sealed = Base64.getDecoder().decode(JSON.readTree(raw).path("encrypt").asText());
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, aes, new IvParameterSpec(sealed, 0, 16));
        JsonNode envelope = JSON.readTree(cipher.doFinal(sealed, 16, sealed.length - 16));
        JsonNode header = envelope.path("header");
        if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), header.path("token").asText().getBytes(StandardCharsets.UTF_8))) {
            return ResponseEntity.status(401).body("{\"error\":\"invalid_token\"}");
        }
        JsonNode event = envelope.path("event");
        Instant now = Instant.now();
        String eventId = header.path("event_id").asText();
        String messageId = event.path("message").path("message_id").asText(null);
        insert(new Object[] {integrationId, eventId, messageId, messageId == null ? "e:" + eventId : "m:" + messageId,
                header.path("event_type").asText(), Timestamp.from(Instant.ofEpochMilli(header.path("create_time").asLong())),
                JSON.writeValueAsString(event), Timestamp.from(now), Timestamp.from(now.plusSeconds(60))});
        return ResponseEntity.ok("{}");
    }

    private static final String INSERT = """
            INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, create_time, payload, state,
              accepted_at, claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, ?, 'accepted', ?, 'bench', ?)""";
    private static final class Batch {
        final List<Object[]> rows = new ArrayList<>();
        boolean written;
        RuntimeException failure;
    }

    private Batch open = new Batch();
    private boolean writing;

    /**
     * Group commit, as larkway's accept does it: rows that arrive while a write is under way are
     * inserted together in one transaction by the first of their threads to see it end. A batch
     * that fails (a duplicate) is inserted row by row, duplicates skipped.
     */
    private void insert(Object[] row) {
        Batch batch;
        synchronized (this) {
            batch = open;
            batch.rows.add(row);
            while (writing && !batch.written) {
                waitForWrite();
            }
            if (batch.written) { // by another thread
                if (batch.failure != null) {
                    throw batch.failure;
                }
                return;
            }
            writing = true;
            open = new Batch();
        }
        try {
            try {
                tx.executeWithoutResult(status -> db.batchUpdate(INSERT, batch.rows));
            } catch (DuplicateKeyException e) {
                for (Object[] one : batch.rows) {
                    try {
                        db.update(INSERT, one);
                    } catch (DuplicateKeyException again) {
                        // already accepted: answered 200, not stored again
                    }
                }
            }
        } catch (RuntimeException e) {
            batch.failure = e;
            throw e;
        } finally {
            synchronized (this) {
                batch.written = true;
                writing = false;
                notifyAll();
            }
        }
    }

    private void waitForWrite() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
