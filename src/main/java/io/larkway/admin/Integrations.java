package io.larkway.admin;

import io.larkway.platform.Timestamps;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.platform.LarkwayProperties;
import io.larkway.admin.Integration.ConnectionMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Integrations of organisations: validation, storage with encrypted secrets, masking, and a
 * small read cache for the ingress hot path (evicted on every change made here).
 */
@Component
public class Integrations {
    private static final Logger LOG = LoggerFactory.getLogger(Integrations.class);
    /** The preferred languages an integration may have (PRODUCT.md §10); the first is the default. */
    public static final List<String> LANGUAGES = List.of("en", "zh-Hans", "ja");

    private final JdbcClient db;
    private final SecretCipher cipher;
    private final LarkwayProperties props;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    /** Read cache for the ingress hot path; short-lived so changes made on another instance show within seconds. */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private static final long CACHE_MILLIS = 5000;

    private record Cached(Integration integration, long loadedAt) {
    }

    public Integrations(JdbcClient db, KeyMaterial keys, LarkwayProperties props, ApplicationEventPublisher events, Clock clock) {
        this.clock = clock;
        this.db = db;
        this.cipher = keys.cipher();
        this.props = props;
        this.events = events;
    }

    /** Any organisation's integration by id (ingress, connections); cached. */
    public Optional<Integration> find(String id) {
        if (id == null || id.length() > 64 || id.indexOf('\0') >= 0) {
            return Optional.empty(); // cannot be an id (VARCHAR(64)); PostgreSQL refuses NUL in a parameter
        }
        long now = clock.millis();
        Cached hit = cache.get(id);
        if (hit != null && now - hit.loadedAt() < CACHE_MILLIS) {
            return Optional.of(hit.integration());
        }
        // unknown ids are not cached: random ids on the webhook must not grow memory
        Optional<Integration> loaded = db.sql("SELECT * FROM integrations WHERE id = ?").param(id).query(this::row).optional();
        loaded.ifPresentOrElse(i -> cache.put(id, new Cached(i, now)), () -> cache.remove(id));
        return loaded;
    }

    /** The caller's own integration, else 404 (never 403: other organisations' ids do not exist for them). */
    public Integration get(String orgId, String id) {
        return find(id).filter(i -> i.orgId().equals(orgId)).orElseThrow(() -> ApiException.notFound("integration " + id));
    }

    public Page<Integration> list(String orgId, Page.Request page) {
        return page.page(db.sql("SELECT * FROM integrations WHERE org_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(orgId, page.size() + 1, page.offset()).query(this::row).list());
    }

    public List<Integration> enabled(ConnectionMode mode) {
        return db.sql("SELECT * FROM integrations WHERE enabled = TRUE AND connection_mode = ? ORDER BY id")
                .param(mode.name()).query(this::row).list();
    }

    public Integration create(String orgId, JsonNode body) {
        Integration draft = fromBody(orgId, body, null);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Integration created = copy(draft, "int_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20), now, now);
        try {
            db.sql("""
                    INSERT INTO integrations (id, org_id, name, app_id, app_secret_enc, verification_token_enc, encrypt_key_enc,
                      connection_mode, international, preferred_language, auto_provision, auto_provision_role, enabled, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(created.id(), orgId, created.name(), created.appId(), cipher.encrypt(created.appSecret()),
                            cipher.encrypt(created.verificationToken()), cipher.encrypt(created.encryptKey()),
                            created.connectionMode().name(), created.international(), created.preferredLanguage(),
                            created.autoProvision(), created.autoProvisionRole(), created.enabled(), Timestamps.of(now), Timestamps.of(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an integration with appId " + created.appId() + " already exists in this organisation");
        }
        cache.remove(created.id());
        LOG.info("Integration created integrationId={} appId={} mode={}", created.id(), created.appId(), created.connectionMode());
        events.publishEvent(new IntegrationChanged(null, created));
        return created;
    }

    public Integration update(String orgId, String id, JsonNode body) {
        Integration before = get(orgId, id);
        Integration draft = fromBody(orgId, body, before);
        Integration after = copy(draft, id, before.createdAt(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
        try {
            db.sql("""
                    UPDATE integrations SET name = ?, app_id = ?, app_secret_enc = ?, verification_token_enc = ?, encrypt_key_enc = ?,
                      connection_mode = ?, international = ?, preferred_language = ?, auto_provision = ?, auto_provision_role = ?,
                      enabled = ?, updated_at = ? WHERE id = ? AND org_id = ?""")
                    .params(after.name(), after.appId(), cipher.encrypt(after.appSecret()), cipher.encrypt(after.verificationToken()),
                            cipher.encrypt(after.encryptKey()), after.connectionMode().name(), after.international(),
                            after.preferredLanguage(), after.autoProvision(), after.autoProvisionRole(), after.enabled(),
                            Timestamps.of(after.updatedAt()), id, orgId)
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an integration with appId " + after.appId() + " already exists in this organisation");
        }
        cache.remove(id);
        LOG.info("Integration updated integrationId={} mode={} enabled={}", id, after.connectionMode(), after.enabled());
        events.publishEvent(new IntegrationChanged(before, after));
        return after;
    }

    public void delete(String orgId, String id) {
        Integration before = get(orgId, id);
        db.sql("DELETE FROM integrations WHERE id = ? AND org_id = ?").params(id, orgId).update();
        cache.remove(id);
        LOG.info("Integration deleted integrationId={}", id);
        events.publishEvent(new IntegrationChanged(before, null));
    }

    /** Validates an API body into an (unsaved) integration; {@code existing} supplies kept secrets on PUT. */
    public Integration fromBody(String orgId, JsonNode body, Integration existing) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("the body must be a JSON object");
        }
        String name = Json.text(body, "name", existing == null ? null : existing.name());
        String appId = Json.text(body, "appId", existing == null ? null : existing.appId());
        ConnectionMode mode = Json.oneOf(body, "connectionMode", ConnectionMode.class, existing == null ? ConnectionMode.long_connection : existing.connectionMode());
        String appSecret = Json.secret(body, "appSecret", existing == null ? null : existing.appSecret());
        String token = Json.secret(body, "verificationToken", existing == null ? null : existing.verificationToken());
        String encryptKey = Json.secret(body, "encryptKey", existing == null ? null : existing.encryptKey());
        if (mode == ConnectionMode.sandbox) {
            // larkway plays Lark for a sandbox: it makes up the app's credentials and keys, and keeps them (none is entered)
            Integration kept = existing != null && existing.isSandbox() ? existing : null;
            appId = kept != null ? kept.appId() : "cli_sandbox_" + randomHex(8);
            appSecret = kept != null ? kept.appSecret() : randomHex(16);
            token = kept != null ? kept.verificationToken() : randomHex(16);
            encryptKey = kept != null ? kept.encryptKey() : randomHex(16);
        } else if (existing != null && existing.isSandbox()) {
            // leaving the sandbox: its made-up credentials are no Lark app's, so the real ones must be given
            appId = Json.text(body, "appId", null);
            appSecret = Json.secret(body, "appSecret", null);
            token = Json.secret(body, "verificationToken", null);
            encryptKey = Json.secret(body, "encryptKey", null);
        }
        if (name == null || name.isBlank()) {
            throw ApiException.invalid("name is required");
        }
        if (appId == null || appId.isBlank()) {
            throw ApiException.invalid("appId is required");
        }
        if (appSecret == null || appSecret.isBlank()) {
            throw ApiException.invalid("appSecret is required");
        }
        if (mode == ConnectionMode.webhook && (token == null || token.isBlank())) {
            throw ApiException.invalid("verificationToken is required in webhook mode");
        }
        Json.maxLength("name", name, 200);
        Json.maxLength("appId", appId, 200);
        // secrets are stored encrypted: "v1:" + base64(12-byte nonce + UTF-8 bytes + 16-byte tag) in 1000-character
        // columns, which holds up to 719 bytes; a limit in characters let 600 three-byte characters through
        Json.maxUtf8Bytes("appSecret", appSecret, 600);
        Json.maxUtf8Bytes("verificationToken", token, 600);
        Json.maxUtf8Bytes("encryptKey", encryptKey, 600);
        String language = Json.text(body, "preferredLanguage", existing == null ? "en" : existing.preferredLanguage());
        if (!LANGUAGES.contains(language)) {
            throw ApiException.invalid("preferredLanguage must be one of " + LANGUAGES);
        }
        boolean international = Json.bool(body, "international", existing != null && existing.international());
        boolean enabled = Json.bool(body, "enabled", existing == null || existing.enabled());
        boolean autoProvision = existing != null && existing.autoProvision();
        String role = existing == null ? null : existing.autoProvisionRole();
        JsonNode ap = body.get("autoProvision");
        if (ap != null && !ap.isNull()) {
            if (!ap.isObject()) {
                throw ApiException.invalid("autoProvision must be an object {enabled, roleName}");
            }
            autoProvision = Json.bool(ap, "enabled", autoProvision);
            role = Json.text(ap, "roleName", role);
        }
        Json.maxLength("autoProvision.roleName", role, 200);
        return new Integration(existing == null ? null : existing.id(), orgId, name.trim(), appId.trim(), appSecret, blankToNull(token),
                blankToNull(encryptKey), mode, international, language, autoProvision, role, enabled, null, null);
    }

    /** The API view: secrets masked, webhook URL for webhook mode. */
    public Map<String, Object> view(Integration i) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", i.id());
        out.put("name", i.name());
        out.put("appId", i.appId());
        out.put("appSecret", SecretCipher.mask(i.appSecret()));
        out.put("verificationToken", SecretCipher.mask(i.verificationToken()));
        out.put("encryptKey", SecretCipher.mask(i.encryptKey()));
        out.put("connectionMode", i.connectionMode().name());
        out.put("international", i.international());
        out.put("preferredLanguage", i.preferredLanguage());
        Map<String, Object> ap = new LinkedHashMap<>();
        ap.put("enabled", i.autoProvision());
        ap.put("roleName", i.autoProvisionRole());
        out.put("autoProvision", ap);
        out.put("enabled", i.enabled());
        out.put("webhookUrl", i.connectionMode() == ConnectionMode.webhook ? props.webhookUrl(i.id()) : null);
        out.put("createdAt", i.createdAt());
        out.put("updatedAt", i.updatedAt());
        return out;
    }

    private static Integration copy(Integration d, String id, Instant createdAt, Instant updatedAt) {
        return new Integration(id, d.orgId(), d.name(), d.appId(), d.appSecret(), d.verificationToken(), d.encryptKey(), d.connectionMode(),
                d.international(), d.preferredLanguage(), d.autoProvision(), d.autoProvisionRole(), d.enabled(), createdAt, updatedAt);
    }

    private Integration row(ResultSet rs, int n) throws SQLException {
        return new Integration(rs.getString("id"), rs.getString("org_id"), rs.getString("name"), rs.getString("app_id"),
                cipher.decrypt(rs.getString("app_secret_enc")), cipher.decrypt(rs.getString("verification_token_enc")),
                cipher.decrypt(rs.getString("encrypt_key_enc")), ConnectionMode.valueOf(rs.getString("connection_mode")),
                rs.getBoolean("international"), rs.getString("preferred_language"), rs.getBoolean("auto_provision"),
                rs.getString("auto_provision_role"), rs.getBoolean("enabled"), Timestamps.instant(rs, "created_at"),
                Timestamps.instant(rs, "updated_at"));
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
