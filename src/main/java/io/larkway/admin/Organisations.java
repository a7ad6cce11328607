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
        String apiKey = "lwk_" + KeyMaterial.randomToken();
        db.sql("INSERT INTO api_keys (key_hash, org_id, created_at) VALUES (?, ?, ?)")
                .params(KeyMaterial.sha256Hex(apiKey), id, Timestamps.of(now)).update();
        LOG.info("Organisation created orgId={}", id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("name", name.trim());
        out.put("apiKey", apiKey);
        out.put("createdAt", now);
        out.put("updatedAt", now);
        return out;
    }
}
