package io.larkway.admin;

import io.larkway.platform.Timestamps;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Organisations and their API keys (kept as SHA-256 only); authenticates API callers. */
@Component
public class Organisations {
    private static final Logger LOG = LoggerFactory.getLogger(Organisations.class);
    private final JdbcClient db;
    private final KeyMaterial keys;
    private final Clock clock;

    public Organisations(JdbcClient db, KeyMaterial keys, Clock clock) {
        this.clock = clock;
        this.db = db;
        this.keys = keys;
    }

    /** Resolves {@code Authorization: Bearer …}; missing or unknown → 401. */
    public Caller authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
            throw new ApiException(401, "unauthorized", "missing Authorization: Bearer <key>");
        }
        String key = authorization.substring(7).trim();
        if (keys.isAdminKey(key)) {
            return Caller.ADMIN;
        }
        Optional<String> org = db.sql("SELECT org_id FROM api_keys WHERE key_hash = ?").param(KeyMaterial.sha256Hex(key)).query(String.class).optional();
        return new Caller(org.orElseThrow(() -> new ApiException(401, "unauthorized", "unknown API key")), false);
    }

    /** Creates an organisation and its first API key; the key is answered only here. */
    @Transactional
    public Map<String, Object> create(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.invalid("name is required");
        }
        if (name.length() > 200) {
            throw ApiException.invalid("name is longer than 200 characters");
        }
        String id = "org_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        db.sql("INSERT INTO orgs (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)")
                .params(id, name.trim(), Timestamps.of(now), Timestamps.of(now)).update();
        String apiKey = newKey(id, now);
        LOG.info("Organisation created orgId={}", id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("name", name.trim());
        out.put("apiKey", apiKey);
        out.put("createdAt", now);
        out.put("updatedAt", now);
        return out;
    }

    /** The organisations, oldest first; never their keys. */
    public Page<Map<String, Object>> list(Page.Request page) {
        return page.page(db.sql("SELECT id, name, created_at, updated_at FROM orgs ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(page.size() + 1, page.offset())
                .query((rs, n) -> {
                    Map<String, Object> org = new LinkedHashMap<>();
                    org.put("id", rs.getString("id"));
                    org.put("name", rs.getString("name"));
                    org.put("createdAt", Timestamps.instant(rs, "created_at"));
                    org.put("updatedAt", Timestamps.instant(rs, "updated_at"));
                    return org;
                }).list());
    }

    /** Replaces every key of the organisation with a new one, answered only here: the old keys stop working at once. */
    @Transactional
    public Map<String, Object> rotateKey(String id) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        // the row lock also orders this against a concurrent rotate or delete of the same organisation
        if (db.sql("UPDATE orgs SET updated_at = ? WHERE id = ?").params(Timestamps.of(now), id).update() == 0) {
            throw ApiException.notFound("organisation " + id);
        }
        int revoked = db.sql("DELETE FROM api_keys WHERE org_id = ?").param(id).update();
        String apiKey = newKey(id, now);
        LOG.info("Organisation key rotated orgId={} revokedKeys={}", id, revoked);
        return Map.of("apiKey", apiKey);
    }

    /** Deletes an organisation (its keys and experts with it); 409 while it still owns integrations. */
    @Transactional
    public void delete(String id) {
        int deleted = db.sql("DELETE FROM orgs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM integrations WHERE org_id = ?)")
                .params(id, id).update();
        if (deleted == 0) {
            int integrations = db.sql("SELECT COUNT(*) FROM integrations WHERE org_id = ?").param(id).query(Integer.class).single();
            if (integrations > 0) {
                throw ApiException.conflict("organisation " + id + " still owns " + integrations + " integration(s); delete them first");
            }
            throw ApiException.notFound("organisation " + id);
        }
        LOG.info("Organisation deleted orgId={}", id);
    }

    private String newKey(String orgId, Instant now) {
        String apiKey = "lwk_" + KeyMaterial.randomToken();
        db.sql("INSERT INTO api_keys (key_hash, org_id, created_at) VALUES (?, ?, ?)")
                .params(KeyMaterial.sha256Hex(apiKey), orgId, Timestamps.of(now)).update();
        return apiKey;
    }
}
