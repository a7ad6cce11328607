package io.larkway.expert;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.ApiResult;
import io.larkway.admin.Json;
import io.larkway.admin.Page;
import io.larkway.admin.KeyMaterial;
import io.larkway.admin.SecretCipher;
import io.larkway.platform.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Digital Experts of organisations and their API ({@code /api/experts}). */
@Component
public class Experts implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(Experts.class);
    private final JdbcClient db;
    private final SecretCipher cipher;

    private final ExpertGuard guard;
    private final Clock clock;

    public Experts(JdbcClient db, KeyMaterial keys, ExpertGuard guard, Clock clock) {
        this.clock = clock;
        this.guard = guard;
        this.db = db;
        this.cipher = keys.cipher();
    }

    @Override
    public void register(Registrar api) {
        api.register("expert-list", "GET", "/api/experts", (c, r) -> list(c.requireOrg(), r.page()).map(this::view));
        api.register("expert-create", "POST", "/api/experts", (c, r) -> ApiResult.created(view(create(c.requireOrg(), r.body()))));
        api.register("expert-get", "GET", "/api/experts/{id}", (c, r) -> view(get(c.requireOrg(), r.path("id"))));
        api.register("expert-update", "PUT", "/api/experts/{id}", (c, r) -> view(update(c.requireOrg(), r.path("id"), r.body())));
        api.register("expert-delete", "DELETE", "/api/experts/{id}", (c, r) -> {
            delete(c.requireOrg(), r.path("id"));
            return ApiResult.NO_CONTENT;
        });
    }

    public Optional<Expert> find(String id) {
        return db.sql("SELECT * FROM experts WHERE id = ?").param(id).query(this::row).optional();
    }

    /** The expert, if it belongs to the organisation that owns the integration: a turn never reaches another tenant's expert. */
    public Optional<Expert> findFor(String id, String integrationId) {
        return db.sql("SELECT e.* FROM experts e JOIN integrations i ON i.org_id = e.org_id WHERE e.id = ? AND i.id = ?")
                .params(id, integrationId).query(this::row).optional();
    }

    public Expert get(String orgId, String id) {
        return find(id).filter(e -> e.orgId().equals(orgId)).orElseThrow(() -> ApiException.notFound("expert " + id));
    }

    public Page<Expert> list(String orgId, Page.Request page) {
        return page.page(db.sql("SELECT * FROM experts WHERE org_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(orgId, page.size() + 1, page.offset()).query(this::row).list());
    }

    public Expert create(String orgId, JsonNode body) {
        Expert e = validate(orgId, body, null);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String id = "exp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        db.sql("INSERT INTO experts (id, org_id, name, type, url, model, api_key_enc, uri, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, orgId, e.name(), e.type().name(), e.url(), e.model(), cipher.encrypt(e.apiKey()), e.uri(), Timestamps.of(now), Timestamps.of(now))
                .update();
        LOG.info("Expert created expertId={} type={}", id, e.type());
        return get(orgId, id);
    }

    public Expert update(String orgId, String id, JsonNode body) {
        Expert before = get(orgId, id);
        Expert e = validate(orgId, body, before);
        db.sql("UPDATE experts SET name = ?, type = ?, url = ?, model = ?, api_key_enc = ?, uri = ?, updated_at = ? WHERE id = ?")
                .params(e.name(), e.type().name(), e.url(), e.model(), cipher.encrypt(e.apiKey()), e.uri(), Timestamps.of(clock.instant()), id).update();
        return get(orgId, id);
    }

    public void delete(String orgId, String id) {
        get(orgId, id);
        try {
            db.sql("DELETE FROM experts WHERE id = ?").param(id).update();
        } catch (DataIntegrityViolationException e) {
            throw ApiException.conflict("expert " + id + " is used by a trigger; delete or change the trigger first");
        }
    }

    private Expert validate(String orgId, JsonNode body, Expert before) {
        String name = Json.required(body, "name", before == null ? null : before.name());
        Expert.Type type = Json.oneOf(body, "type", Expert.Type.class, before == null ? null : before.type());
        if (type == null) {
            throw ApiException.invalid("type is required");
        }
        String url = Json.text(body, "url", before == null ? null : before.url());
        String model = Json.text(body, "model", before == null ? null : before.model());
        String uri = Json.text(body, "uri", before == null ? null : before.uri());
        String apiKey = Json.secret(body, "apiKey", before == null ? null : before.apiKey());
        Json.maxLength("name", name, 200);
        Json.maxLength("model", model, 200);
        Json.maxLength("url", url, 2000);
        Json.maxLength("uri", uri, 2000);
        Json.maxUtf8Bytes("apiKey", apiKey, 1400); // stored encrypted (v1: + base64) in VARCHAR(2000): at most 1907 characters
        switch (type) {
            case openai, http -> {
                if (url == null || url.isBlank()) {
                    throw ApiException.invalid("url is required for " + type + " experts");
                }
                String problem = guard.urlProblem(url);
                if (problem != null) {
                    throw ApiException.invalid(problem);
                }
                if (type == Expert.Type.openai && (model == null || model.isBlank())) {
                    throw ApiException.invalid("model is required for openai experts");
                }
            }
            case camel -> {
                if (uri == null || uri.isBlank()) {
                    throw ApiException.invalid("uri is required for camel experts (e.g. direct:my-expert)");
                }
                // a name of the operator's expert route, never a Camel URI (placeholders, options, other components)
                String problem = guard.camelUriProblem(uri);
                if (problem != null) {
                    throw ApiException.invalid(problem);
                }
            }
            case echo -> {
            }
        }
        return new Expert(null, orgId, name, type, url, model, apiKey == null || apiKey.isEmpty() ? null : apiKey, uri, null, null);
    }

    public Map<String, Object> view(Expert e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("name", e.name());
        out.put("type", e.type().name());
        out.put("url", e.url());
        out.put("model", e.model());
        out.put("apiKey", SecretCipher.mask(e.apiKey()));
        out.put("uri", e.uri());
        out.put("createdAt", e.createdAt());
        out.put("updatedAt", e.updatedAt());
        return out;
    }

    private Expert row(ResultSet rs, int n) throws SQLException {
        return new Expert(rs.getString("id"), rs.getString("org_id"), rs.getString("name"), Expert.Type.valueOf(rs.getString("type")),
                rs.getString("url"), rs.getString("model"), cipher.decrypt(rs.getString("api_key_enc")), rs.getString("uri"),
                Timestamps.instant(rs, "created_at"), Timestamps.instant(rs, "updated_at"));
    }
}
